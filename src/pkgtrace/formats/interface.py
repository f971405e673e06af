"""What `verify` hands every output format: one api.verify.VerifyRowDoc per dependency, holding the
dependency (where it came from), its status and the dataset's record of that release
(api.verify.ReleaseRecord), or None when the dataset has none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

from pkgtrace.api.base import SEVERITIES
from pkgtrace.api.findings import RecordFinding as Finding
from pkgtrace.api.verify import ReleaseRecord, VerifyRowDoc

# How bad a label is, for --fail-on and for sorting; "unknown" is not a verdict.
LABEL_RANK = {"unknown": -1, "benign": 0, "suspicious": 1, "malicious": 2}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class RenderContext:
    lockfiles: tuple[str, ...] = ()
    dataset: str | None = None     # the dataset (local path or server URL) the rows came from
    base_dir: Path = field(default_factory=lambda: Path(os.getcwd()))  # SARIF paths are relative to it
    color: bool = False
    width: int | None = None
    tool_version: str = ""
    failed: tuple[dict, ...] = ()  # lockfiles that could not be read: {file, line, key, message}
    notes: tuple[str, ...] = ()    # what the lockfile readers skipped or could not tell

    def __post_init__(self) -> None:
        if not self.tool_version:
            from pkgtrace import __version__
            object.__setattr__(self, "tool_version", __version__)


class Formatter(Protocol):
    name: str
    media_type: str

    def render(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> str:
        """The whole output document for these rows."""


def sort_rows(rows: Sequence[VerifyRowDoc]) -> list[VerifyRowDoc]:
    """Worst first (malicious, suspicious, unknown, benign, not looked up), then by name."""
    order = {"malicious": 0, "suspicious": 1, "unknown": 2, "benign": 3, "not-looked-up": 4}
    return sorted(rows, key=lambda r: (r.suppressed is not None, order.get(r.status, 9),
                                       r.dependency.ecosystem.value, r.dependency.name.lower(),
                                       r.dependency.version or ""))


def summarize(rows: Sequence[VerifyRowDoc]) -> dict[str, int]:
    counts = {"total": len(rows), "malicious": 0, "suspicious": 0, "benign": 0, "unknown": 0,
              "not-looked-up": 0, "suppressed": 0}
    for r in rows:
        if r.suppressed is not None:
            counts["suppressed"] += 1
        else:
            counts[r.status] += 1
    return counts


def fails(rows: Sequence[VerifyRowDoc], fail_on: str | None) -> bool:
    """Whether any unsuppressed row is at least as bad as FAIL_ON (suspicious|malicious), or, for
    "unknown", whether any looked-up release is not known to be benign (not analysed, no verdict
    yet, or flagged)."""
    if not fail_on:
        return False
    if fail_on == "unknown":
        return any(r.suppressed is None and r.status in ("unknown", "suspicious", "malicious") for r in rows)
    threshold = LABEL_RANK[fail_on]
    return any(r.suppressed is None and LABEL_RANK.get(r.status, -1) >= max(threshold, 1) for r in rows)
