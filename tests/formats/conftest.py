"""Verify rows as `verify` will build them: dependencies parsed from a real lockfile, each with
the dataset's record of its release (or none)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pkgtrace.api.findings import RecordFinding
from pkgtrace.formats import ReleaseRecord, RenderContext, VerifyRowDoc
from pkgtrace.lockfiles import parse_lockfile
from pkgtrace.verify.records import record_from

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LOCKFILE = FIXTURES / "lockfiles" / "real" / "npm-v3" / "package-lock.json"

RECORDS = {
    ("is-odd", "3.0.1"): {  # the "known-malicious" release of these tests
        "label": "malicious", "score": 0.97, "analyzed": "2026-11-20T10:00:00Z",
        "findings": [
            {"rule": "install-hook-exfiltrates-env", "severity": "critical",
             "message": "postinstall sends process.env to 203.0.113.7:443",
             "evidence": {"file": "package.json", "line": 7, "ip": "203.0.113.7", "domain": "evil.example"}},
            {"rule": "bait-file-read", "severity": "high", "message": "reads ~/.npmrc during install",
             "evidence": {"syscall": "openat", "path": "/root/.npmrc"}},
            {"rule": "obfuscated-code", "severity": "medium", "message": "eval of a | decoded buffer",
             "evidence": {"file": "index.js", "line": 1}},
            {"rule": "new-maintainer", "severity": "low", "message": "first release by this maintainer"},
        ]},
    ("ms", "2.1.2"): {"label": "suspicious", "score": 0.55, "findings": [
        {"rule": "obfuscated-code", "severity": "medium", "message": "long base64 string decoded at import"}]},
    ("ms", "2.1.3"): {"label": "suspicious", "score": 0.41, "findings": []},
    ("is-number", "7.0.0"): {"label": "benign", "score": 0.02, "findings": []},
    ("is-number", "6.0.0"): {"label": "benign", "score": 0.01, "findings": []},
    # @isaacs/string-locale-compare: not in the dataset (unknown); @demo/app: a workspace
}


def record(label: str, score: float, findings=(), analyzed: str | None = None) -> ReleaseRecord:
    """A dataset record, built the way verify builds one from what the dataset holds."""
    return record_from(label, score, [RecordFinding(**f) for f in findings], analyzed=analyzed)


def make_rows(suppress: dict[tuple[str, str], str] | None = None) -> list[VerifyRowDoc]:
    suppress = suppress or {}
    rows = []
    for d in parse_lockfile(LOCKFILE):
        rec = RECORDS.get((d.name, d.version or ""))
        rows.append(VerifyRowDoc.of(d, record(**rec) if rec else None,
                                 suppressed=suppress.get((d.name, d.version or ""))))
    return rows


@pytest.fixture
def rows() -> list[VerifyRowDoc]:
    return make_rows()


@pytest.fixture
def ctx() -> RenderContext:
    return RenderContext(lockfiles=(str(LOCKFILE),), dataset="sqlite:///tmp/pkgtrace.db",
                         base_dir=FIXTURES.parent.parent)
