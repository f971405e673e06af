"""Stored verdicts (index rows or API answers) → the ReleaseRecord every output format reads."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Mapping

from pkgtrace.formats.interface import LABELS, SEVERITIES, ReleaseRecord


def record_from(label: Any, score: Any, findings: Any, *, analyzed: Any = None,
                url: str | None = None) -> ReleaseRecord:
    """Lenient on what the dataset may hold (no verdict yet, an odd severity): a release with an
    analysis but no verdict is 'unknown', never an error that stops the whole verify."""
    clean = []
    for f in findings or ():
        if not isinstance(f, Mapping) or not f.get("rule"):
            continue
        sev = f.get("severity") if f.get("severity") in SEVERITIES else "medium"
        evidence = dict(f.get("evidence")) if isinstance(f.get("evidence"), Mapping) else {}
        if f.get("hash") and "hash" not in evidence:  # the content hash suppressions key on
            evidence["hash"] = f["hash"]
        clean.append({"rule": str(f["rule"]), "severity": sev, "message": str(f.get("message") or ""),
                      "evidence": evidence})
    try:
        score_f = float(score) if score is not None else 0.0
    except (TypeError, ValueError):
        score_f = 0.0
    return ReleaseRecord.from_dict({"label": label if label in LABELS else "unknown", "score": score_f,
                                    "findings": clean, "analyzed": _iso(analyzed), "url": url})


def _iso(ts: Any) -> str | None:
    if isinstance(ts, (int, float)) and not isinstance(ts, bool):
        return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ts if isinstance(ts, str) and ts else None
