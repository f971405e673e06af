"""What `verify` hands every output format: one VerifyRow per dependency, holding the dependency
(where it came from) and the dataset's record of that release (api.verify.ReleaseRecord), or None
when the dataset has none.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Sequence

from pkgtrace.api.base import SEVERITIES
from pkgtrace.api.findings import RecordFinding as Finding
from pkgtrace.api.verify import DependencyDoc, ReleaseRecord

# How bad a label is, for --fail-on and for sorting; "unknown" is not a verdict.
LABEL_RANK = {"unknown": -1, "benign": 0, "suspicious": 1, "malicious": 2}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True)
class VerifyRow:
    dependency: DependencyDoc
    release: ReleaseRecord | None = None  # None: not in the dataset, or not a registry release
    suppressed: str | None = None         # the suppression's justification, when one applies

    @property
    def status(self) -> str:
        """malicious | suspicious | benign | unknown (not in the dataset, or no verdict yet) |
        not-looked-up (git, URL, path, workspace, unpinned: no registry release to look up)."""
        if not self.dependency.looked_up:
            return "not-looked-up"
        return self.release.label if self.release is not None else "unknown"

    @property
    def flagged(self) -> bool:
        return self.status in ("suspicious", "malicious")

    @property
    def rank(self) -> int:
        return LABEL_RANK.get(self.status, -1)

    def to_dict(self) -> dict:
        return {"dependency": self.dependency.model_dump(mode="json"), "status": self.status,
                "release": self.release.to_dict() if self.release else None, "suppressed": self.suppressed}


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

    def render(self, rows: Sequence[VerifyRow], ctx: RenderContext) -> str:
        """The whole output document for these rows."""


def sort_rows(rows: Sequence[VerifyRow]) -> list[VerifyRow]:
    """Worst first (malicious, suspicious, unknown, benign, not looked up), then by name."""
    order = {"malicious": 0, "suspicious": 1, "unknown": 2, "benign": 3, "not-looked-up": 4}
    return sorted(rows, key=lambda r: (r.suppressed is not None, order.get(r.status, 9),
                                       r.dependency.ecosystem.value, r.dependency.name.lower(),
                                       r.dependency.version or ""))


def summarize(rows: Sequence[VerifyRow]) -> dict[str, int]:
    counts = {"total": len(rows), "malicious": 0, "suspicious": 0, "benign": 0, "unknown": 0,
              "not-looked-up": 0, "suppressed": 0}
    for r in rows:
        if r.suppressed is not None:
            counts["suppressed"] += 1
        else:
            counts[r.status] += 1
    return counts


def fails(rows: Sequence[VerifyRow], fail_on: str | None) -> bool:
    """Whether any unsuppressed row is at least as bad as FAIL_ON (suspicious|malicious), or, for
    "unknown", whether any looked-up release is not known to be benign (not analysed, no verdict
    yet, or flagged)."""
    if not fail_on:
        return False
    if fail_on == "unknown":
        return any(r.suppressed is None and r.status in ("unknown", "suspicious", "malicious") for r in rows)
    threshold = LABEL_RANK[fail_on]
    return any(r.suppressed is None and r.rank >= threshold and r.rank > 0 for r in rows)
