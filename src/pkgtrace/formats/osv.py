"""OSV reports of malicious releases in the shape of OpenSSF's malicious-packages database
(osv/malicious/<ecosystem>/<name>/MAL-0000-<source>-<hash>.json): one report per package, its
malicious versions listed, pkgtrace's evidence under database_specific.

`report_for` builds one report (the export command feeds it dataset records); `FORMAT.render`
turns verify rows into a JSON list of reports, one per package labelled malicious;
`write_reports` lays them out as files the way that repository does. With `submission=True` the
report leaves out `id` and `summary`, which that repository assigns itself on a pull request.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Sequence

from pkgtrace.api.osv import OSV_SCHEMA_VERSION
from pkgtrace.formats.interface import Finding, ReleaseRecord, RenderContext, VerifyRowDoc
from pkgtrace.model import Ecosystem, Package

SOURCE_ID = "pkgtrace"  # the origin id ([a-z0-9-]+) this database would be ingested under
OSV_ECOSYSTEM = {Ecosystem.PYPI: "PyPI", Ecosystem.NPM: "npm", Ecosystem.RUBYGEMS: "RubyGems",
                 Ecosystem.PACKAGIST: "Packagist", Ecosystem.CRATES: "crates.io"}
# Folder names under osv/malicious/ in the malicious-packages repository.
REPO_DIR = {Ecosystem.PYPI: "pypi", Ecosystem.NPM: "npm", Ecosystem.RUBYGEMS: "rubygems",
            Ecosystem.PACKAGIST: "packagist", Ecosystem.CRATES: "crates-io"}
CREDIT = {"name": "pkgtrace", "type": "FINDER"}
_IOC_KEYS = {"domain": "domains", "host": "domains", "hostname": "domains", "sni": "domains", "url": "urls",
             "ip": "ip_addresses", "address": "ip_addresses"}
# Addresses the sandbox's network simulator hands out (its DNS answers and its own gateway): what
# a package "connected to" there says nothing about the real world, so they are never IoCs.
_SIMULATOR_NETS = tuple(ipaddress.ip_network(n) for n in ("198.18.0.0/15", "10.77.0.0/16", "127.0.0.0/8"))


@dataclass(frozen=True)
class MaliciousRelease:
    package: Package
    record: ReleaseRecord


def _rfc3339(ts: str | datetime | None) -> str:
    if isinstance(ts, datetime):
        dt = ts
    elif isinstance(ts, str) and ts:
        try:
            dt = datetime.fromisoformat(ts.replace("Z", "+00:00"))
        except ValueError:
            dt = datetime.now(timezone.utc)
    else:
        dt = datetime.now(timezone.utc)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_id(ecosystem: Ecosystem, name: str) -> str:
    """Stable per package, so a re-export replaces the report instead of adding one."""
    digest = hashlib.sha256(f"{ecosystem.value}/{name}".encode()).hexdigest()[:16]
    return f"MAL-0000-{SOURCE_ID}-{digest}"


def report_for(releases: Sequence[MaliciousRelease], *, now: str | datetime | None = None,
               submission: bool = False) -> dict:
    """One OSV report for one package's malicious releases (all of the same package)."""
    if not releases:
        raise ValueError("no releases to report")
    pkg = releases[0].package
    if any(r.package.ecosystem != pkg.ecosystem or r.package.name != pkg.name for r in releases):
        raise ValueError("an OSV report covers one package; got releases of several")
    if any(r.record.label != "malicious" for r in releases):
        raise ValueError("only releases labelled malicious are reported")
    versions = sorted({r.package.version for r in releases})
    stamps = [r.record.analyzed for r in releases if r.record.analyzed]
    published = _rfc3339(min(stamps) if stamps else now)
    modified = _rfc3339(max(stamps) if stamps else now)

    lines = [f"pkgtrace identified '{pkg.name}' @ {', '.join(versions)} ({pkg.ecosystem.value}) as malicious.",
             "", "It is considered malicious because:", ""]
    seen: set[str] = set()
    for r in releases:
        for f in r.record.top_findings(len(r.record.findings)):
            text = f"- {f.message or f.rule} ({f.rule}, {f.severity})"
            if text not in seen:
                seen.add(text)
                lines.append(text)
    if not seen:
        lines.append(f"- its analysis scored {max(r.record.score for r in releases):.2f}")

    doc: dict = {
        "modified": modified,
        "published": published,
        "schema_version": OSV_SCHEMA_VERSION,
        "id": report_id(pkg.ecosystem, pkg.name),
        "summary": f"Malicious code in {pkg.name} ({OSV_ECOSYSTEM[pkg.ecosystem]})",
        "details": "\n".join(lines) + "\n",
        "affected": [{
            "package": {"ecosystem": OSV_ECOSYSTEM[pkg.ecosystem], "name": pkg.name},
            "versions": versions,
        }],
        "credits": [CREDIT],
        "database_specific": {
            "iocs": _iocs(f for r in releases for f in r.record.findings),
            "pkgtrace": {
                "releases": [{"version": r.package.version, "label": r.record.label,
                              "score": r.record.score,
                              **({"analyzed": r.record.analyzed} if r.record.analyzed else {}),
                              **({"report": r.record.url} if r.record.url else {}),
                              "findings": [f.to_dict() for f in r.record.findings]}
                             for r in sorted(releases, key=lambda r: r.package.version)],
            },
        },
    }
    if not doc["database_specific"]["iocs"]:
        del doc["database_specific"]["iocs"]
    if submission:
        del doc["id"], doc["summary"]
    return doc


def _iocs(findings: Iterable[Finding]) -> dict[str, list[str]]:
    """Indicators of compromise found in the findings' evidence (domains, URLs, IP addresses)."""
    out: dict[str, set[str]] = {}
    for f in findings:
        for k, v in f.evidence.items():
            bucket = _IOC_KEYS.get(str(k).lower())
            values = v if isinstance(v, list) else [v]
            for value in values:
                if bucket and isinstance(value, str) and value and not _simulated(bucket, value):
                    out.setdefault(bucket, set()).add(value)
    return {k: sorted(v) for k, v in sorted(out.items())}


def _simulated(bucket: str, value: str) -> bool:
    if bucket != "ip_addresses":
        return False
    try:
        return any(ipaddress.ip_address(value) in n for n in _SIMULATOR_NETS)
    except ValueError:
        return True  # not an address at all: not an IP IoC either


def group_malicious(releases: Iterable[MaliciousRelease]) -> list[list[MaliciousRelease]]:
    """Malicious releases grouped by package, in a stable order."""
    groups: dict[tuple[str, str], list[MaliciousRelease]] = {}
    for r in releases:
        if r.record.label == "malicious":
            groups.setdefault((r.package.ecosystem.value, r.package.name), []).append(r)
    return [groups[k] for k in sorted(groups)]


def report_path(ecosystem: Ecosystem, name: str) -> Path:
    """Where the repository keeps the report: osv/malicious/<ecosystem>/<name>/<id>.json
    (a scoped npm name keeps its slash: npm/@scope/name)."""
    parts = [p for p in name.split("/") if p not in ("", ".", "..")]
    if not parts or any(re.search(r"[\\\x00]", p) for p in parts):
        raise ValueError(f"cannot make a path for package name {name!r}")
    return Path("osv", "malicious", REPO_DIR[ecosystem], *parts, report_id(ecosystem, name) + ".json")


def write_reports(releases: Iterable[MaliciousRelease], dest: Path, *, now: str | datetime | None = None,
                  submission: bool = True) -> list[Path]:
    """Write one report per package under DEST in the repository's layout; returns the files."""
    written = []
    for group in group_malicious(releases):
        pkg = group[0].package
        target = dest / report_path(pkg.ecosystem, pkg.name)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(report_for(group, now=now, submission=submission), indent=2) + "\n")
        tmp.replace(target)  # never a half-written report
        written.append(target)
    return written


class OsvFormat:
    name = "osv"
    media_type = "application/json"

    def render(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> str:
        releases = [MaliciousRelease(r.dependency.package, r.release) for r in rows
                    if r.release is not None and r.dependency.package is not None
                    and r.release.label == "malicious"]
        return json.dumps([report_for(g) for g in group_malicious(releases)], indent=2) + "\n"


FORMAT = OsvFormat()
