"""A finding: one rule that matched one piece of evidence; and the suppression that may hide it."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pkgtrace.api.base import Severity, Source, Strict


class RecordFinding(Strict):
    """A finding as a release's record carries it wherever the dataset hands one out (the index,
    the API's release answer, verify, the OSV export): the report's Finding without how the
    rule read the evidence."""
    rule: str = Field(description="Id of the rule that matched, e.g. STATIC-PY-DECODE-EXEC.")
    severity: Severity = Field(description="The rule's severity.")
    message: str = Field(description="What matched, for a person, with file and line where known.")
    evidence: dict[str, Any] = Field(default_factory=dict,
                                     description="The matched record (file/line/excerpt, command, "
                                                 "connection, …); keys depend on the rule's kind.")
    hash: str | None = Field(None, description="Content hash a suppression is keyed on: the file's "
                                               "SHA-256 for code, the artifact's for behaviour.")

    def to_dict(self) -> dict:
        return self.model_dump(mode="json", include=set(RecordFinding.model_fields), exclude_none=True)


class Finding(RecordFinding):  # in the verdict: also which evidence the rule read
    source: Source = Field(description="Which evidence the rule read: static, dynamic or metadata.")
    phase: str | None = Field(None, description="Dynamic phase the behaviour happened in, if any.")
    attack: str | None = Field(None, description="MITRE ATT&CK technique id, if the rule names one.")

    def as_dict(self) -> dict:
        """The finding as report.json stores it (unset optional fields left out)."""
        return self.model_dump(mode="json", exclude_none=True)


class SuppressionRef(Strict):
    package: str = Field(description="ECOSYSTEM/NAME, optionally @VERSION, the suppression names.")
    rule: str = Field(description="Rule id it suppresses.")
    hash: str = Field(description="Finding hash it suppresses; changed content never matches.")
    reason: str = Field("", description="Why the consumer accepted this finding.")


class SuppressedFinding(Finding):
    suppression: SuppressionRef = Field(description="The suppression that hid this finding.")
