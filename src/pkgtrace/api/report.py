"""report.json: pkgtrace's own document for one analysed release."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pkgtrace.api.base import Strict
from pkgtrace.api.diff import Diff, DiffError
from pkgtrace.api.dynamic import DynamicSection
from pkgtrace.api.static import StaticSection
from pkgtrace.api.verdict import Verdict
from pkgtrace.model import Ecosystem

REPORT_SCHEMA = "pkgtrace-report/1"


class PackageRef(Strict):
    ecosystem: Ecosystem = Field(description="Ecosystem id as OSSF spells it (pypi, npm, crates.io…).")
    name: str = Field(description="Package name as the registry spells it.")
    version: str = Field(description="Release version.")


class ArtifactRef(Strict):
    filename: str = Field(description="File name of the analysed archive.")
    sha256: str = Field(description="SHA-256 of the analysed archive.")
    url: str | None = Field(None, description="Where it was downloaded from; null for a local file.")
    local: bool = Field(False, description="Analysed from a local file (--local, upload).")


class Timings(Strict):
    static_s: float | None = Field(None, description="Seconds of static analysis.")
    dynamic_s: float | None = Field(None, description="Seconds of dynamic analysis, sandbox included.")
    verdict_s: float | None = Field(None, description="Seconds computing the verdict.")


class Report(Strict):
    schema_version: Literal["pkgtrace-report/1"] = Field(REPORT_SCHEMA,
                                                         description="Version of this document's shape.")
    package: PackageRef = Field(description="The release analysed.")
    artifact: ArtifactRef = Field(description="The archive analysed.")
    created: int = Field(description="When the analysis started, unix seconds.")
    timings: Timings = Field(default_factory=Timings, description="Where the time went.")
    static: StaticSection | None = Field(None, description="Static analysis; absent in dynamic-only runs.")
    dynamic: DynamicSection | None = Field(None, description="Sandbox behaviour; absent in static-only runs.")
    verdict: Verdict | None = Field(None, description="Label, score and findings.")
    diff: Diff | DiffError | None = Field(None, description="Behaviour diff against the previous "
                                                            "analysed version; null when there is none.")

    def as_dict(self) -> dict:
        """The report as report.json stores it: what its producer set (a part not produced stays
        absent, as it was read stays as it was), always with its schema version."""
        return {"schema_version": self.schema_version,
                **self.model_dump(mode="json", by_alias=True, exclude_unset=True)}
