from __future__ import annotations

import json
import re

import pytest

from pkgtrace.formats import get_format
from pkgtrace.formats.osv import MaliciousRelease, report_for, report_path, write_reports
from pkgtrace.model import Ecosystem, Package

from .conftest import record

RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
BAD = record("malicious", 0.9, analyzed="2026-11-01T08:00:00+00:00",
             findings=[{"rule": "reads-bait", "severity": "high", "message": "reads ~/.aws/credentials",
                        "evidence": {"url": "http://evil.example/x"}}])


def test_render_from_verify_rows(rows, ctx):
    reports = json.loads(get_format("osv").render(rows, ctx))
    (r,) = reports  # only is-odd is malicious; suspicious releases are not reported
    assert r["schema_version"] == "1.6.0"
    assert re.fullmatch(r"MAL-0000-pkgtrace-[0-9a-f]{16}", r["id"])
    assert r["summary"] == "Malicious code in is-odd (npm)"
    assert r["affected"] == [{"package": {"ecosystem": "npm", "name": "is-odd"}, "versions": ["3.0.1"]}]
    assert r["modified"] == r["published"] == "2026-11-20T10:00:00Z"
    assert "postinstall sends process.env" in r["details"]
    assert r["credits"][0]["type"] == "FINDER"
    ds = r["database_specific"]
    assert ds["iocs"] == {"domains": ["evil.example"], "ip_addresses": ["203.0.113.7"]}
    assert ds["pkgtrace"]["releases"][0]["findings"][0]["rule"] == "install-hook-exfiltrates-env"


@pytest.mark.parametrize("eco,spelled", [(Ecosystem.PYPI, "PyPI"), (Ecosystem.NPM, "npm"),
                                         (Ecosystem.RUBYGEMS, "RubyGems"), (Ecosystem.PACKAGIST, "Packagist"),
                                         (Ecosystem.CRATES, "crates.io")])
def test_ecosystems_as_osv_spells_them(eco, spelled):
    r = report_for([MaliciousRelease(Package(eco, "evil-pkg", "1.0.0"), BAD)])
    assert r["affected"][0]["package"]["ecosystem"] == spelled
    assert RFC3339.match(r["modified"]) and r["modified"] == "2026-11-01T08:00:00Z"


def test_one_report_per_package_for_submission(tmp_path):
    releases = [MaliciousRelease(Package(Ecosystem.NPM, "@evil/pkg", v), BAD) for v in ("1.0.1", "1.0.0")]
    releases.append(MaliciousRelease(Package(Ecosystem.PYPI, "evil-py", "0.1"), BAD))
    files = write_reports(releases, tmp_path)
    rel = sorted(str(f.relative_to(tmp_path)) for f in files)
    assert len(rel) == 2
    assert rel[0].startswith("osv/malicious/npm/@evil/pkg/MAL-0000-pkgtrace-")
    assert rel[1].startswith("osv/malicious/pypi/evil-py/MAL-0000-pkgtrace-")
    npm = json.loads(next(f for f in files if "npm" in str(f)).read_text())
    assert npm["affected"][0]["versions"] == ["1.0.0", "1.0.1"]
    assert "id" not in npm and "summary" not in npm  # the repository assigns both on submission
    assert npm["database_specific"]["iocs"] == {"urls": ["http://evil.example/x"]}
    assert not list(tmp_path.rglob("*.tmp"))
    # Re-exporting replaces the same files rather than adding new ones.
    assert sorted(write_reports(releases, tmp_path)) == sorted(files)


def test_refuses_what_is_not_malicious_or_mixed():
    ok = MaliciousRelease(Package(Ecosystem.NPM, "a", "1"), BAD)
    sus = MaliciousRelease(Package(Ecosystem.NPM, "a", "2"),
                           record("suspicious", 0.5))
    with pytest.raises(ValueError):
        report_for([ok, sus])
    with pytest.raises(ValueError):
        report_for([ok, MaliciousRelease(Package(Ecosystem.NPM, "b", "1"), BAD)])
    with pytest.raises(ValueError):
        report_path(Ecosystem.NPM, "../..")
