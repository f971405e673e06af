"""The verdict: a label and score for one release, and the findings behind them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pkgtrace.api.base import Label, Strict
from pkgtrace.api.findings import Finding, SuppressedFinding

VERDICT_SCHEMA = "pkgtrace-verdict/1"


class EvidenceCoverage(Strict):
    static: bool = Field(description="Static analysis results were available to the rules.")
    dynamic: bool = Field(description="A sandbox run's behaviour was available to the rules.")
    metadata: bool = Field(description="Registry metadata was available to the rules.")
    code_files: int = Field(description="Source files the code rules read.")


class Verdict(Strict):
    schema_version: Literal["pkgtrace-verdict/1"] = Field(VERDICT_SCHEMA,
                                                          description="Version of this part's shape.")
    label: Label = Field(description="benign, suspicious or malicious, from the score.")
    score: float = Field(description="0-100; higher is worse. Thresholds are in verdict/score.py.")
    evidence: EvidenceCoverage = Field(description="What evidence the rules could see.")
    findings: list[Finding] = Field(default_factory=list,
                                    description="Findings kept, most severe first (at most 200).")
    suppressed: list[SuppressedFinding] = Field(default_factory=list,
                                                description="Findings a consumer's suppressions hid.")
    rules_fired: list[str] = Field(default_factory=list, description="Ids of the rules that fired.")
    metadata: dict[str, Any] | None = Field(None, description="Registry metadata the metadata rules "
                                                              "read; null when not fetched.")
