"""The verdict's vocabulary: rules as loaded from data, findings, and the verdict itself."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The public vocabulary lives in pkgtrace.api; re-exported for the rule engine's modules.
from pkgtrace.api.base import SEVERITIES, Label, Severity, Source
from pkgtrace.api.findings import Finding

__all__ = ["SEVERITIES", "Finding", "Label", "Match", "Rule", "Severity", "Source"]


class Match(BaseModel):
    """What a rule looks for. Exactly one of `code`, `fact`, `check` or `all_of` is set.

    - code: a regex over the text of source files (`pattern`), reported with file and line;
      `also` are regexes the same file must contain too (with `near`: within that many lines
      of the hit, a chain of steps rather than capabilities scattered over a large module),
      `unless` ones it must not; `where` narrows the files (language, role: install|import|other,
      path regex).
    - fact: one kind of evidence record (hook, signal, file, command, connection, dns, http,
      file_access, send, left_running, …); `where` maps field -> regex (or list of regexes, any
      of which may match, or a bool/number), `unless` likewise excludes.
    - check: a named metadata check implemented in verdict/metadata.py.
    - all_of: rule ids that must all have fired (a combination worth more than its parts).
    """
    model_config = ConfigDict(extra="forbid")
    code: bool = False
    fact: str | None = None
    check: str | None = None
    all_of: list[str] | None = None
    pattern: str | None = None
    also: list[str] = Field(default_factory=list)
    unless: Any = None
    where: dict[str, Any] = Field(default_factory=dict)
    ignore_case: bool = False
    # code: a hit is `pattern` followed on the same line, within `within` characters, by `then`.
    # Matched as two linear scans, not one regex with a bounded gap: a gap regex backtracks
    # `within` steps at every start, seconds on a crafted 1 MB line (bench/rule_speed.py).
    then: str | None = None
    within: int = Field(default=300, ge=0, le=5000)
    near: int | None = Field(default=None, ge=0, le=500)  # lines around a hit `also` must match in
    max_hits: int = 5  # findings kept per file (code) or per rule (facts)
    # code: False skips hits on a line that is wholly a comment (# or //): a path named in a
    # comment is read by no one, where an attack's step must be code
    comments: bool = True


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    description: str
    severity: Severity
    ecosystems: list[str] = Field(default_factory=lambda: ["all"])
    attack: str | None = None
    message: str | None = None   # "{field}" placeholders filled from the evidence
    match: Match
    family: str = ""             # set by the loader: static, dynamic, metadata
    weight: float | None = None  # overrides the severity's weight in the score

    @property
    def source(self) -> str:
        return self.family if self.family in ("static", "dynamic", "metadata") else "static"

    def applies_to(self, ecosystem: str) -> bool:
        return "all" in self.ecosystems or ecosystem in self.ecosystems
