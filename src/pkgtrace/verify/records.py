"""Stored verdicts (index rows or API answers) → the ReleaseRecord every output format reads."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from pkgtrace.api import Finding
from pkgtrace.api.responses import IndexedFinding
from pkgtrace.api.verify import RecordFinding
from pkgtrace.formats.interface import LABELS, SEVERITIES, ReleaseRecord


def record_from(label: str | None, score: float | None, findings: Iterable[Finding | IndexedFinding], *,
                analyzed: Any = None, url: str | None = None) -> ReleaseRecord:
    """Lenient on what the dataset may hold (no verdict yet, an odd severity): a release with an
    analysis but no verdict is 'unknown', never an error that stops the whole verify."""
    clean = tuple(RecordFinding(rule=f.rule, severity=f.severity if f.severity in SEVERITIES else "medium",
                                message=f.message or "",
                                # the content hash suppressions key on travels in the evidence
                                evidence={"hash": f.hash, **f.evidence} if f.hash else dict(f.evidence))
                  for f in findings)
    return ReleaseRecord(label if label in LABELS else "unknown", float(score or 0.0), clean, _iso(analyzed), url)


def _iso(ts: Any) -> str | None:
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ts if isinstance(ts, str) and ts else None
