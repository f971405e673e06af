"""Stored verdicts (index rows or API answers) → the ReleaseRecord every output format reads."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Iterable

from pkgtrace.api.base import LABELS
from pkgtrace.api.findings import RecordFinding
from pkgtrace.api.verify import ReleaseRecord


def record_from(label: str | None, score: float | None, findings: Iterable[RecordFinding], *,
                analyzed: Any = None, url: str | None = None) -> ReleaseRecord:
    """Lenient on what the dataset may hold: a release with an analysis but no verdict is
    'unknown', never an error that stops the whole verify. A report's Finding keeps its record part."""
    clean = [RecordFinding.model_validate(f.model_dump(include=set(RecordFinding.model_fields))) for f in findings]
    return ReleaseRecord(label=label if label in LABELS else "unknown", score=float(score or 0.0), findings=clean,
                         analyzed=_iso(analyzed), url=url)


def _iso(ts: Any) -> str | None:
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ts if isinstance(ts, str) and ts else None
