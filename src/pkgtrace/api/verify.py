"""`pkgtrace verify --format json`: each locked dependency and what the dataset says about it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, WithJsonSchema, field_serializer

from pkgtrace.api.base import SEVERITIES, Strict
from pkgtrace.api.findings import RecordFinding
from pkgtrace.model import Ecosystem, Package

VERIFY_SCHEMA = "pkgtrace-verify/1"

# private: from an index that replaces the public registry (pip's --index-url, a Pipfile source):
# the public dataset cannot say what that index serves under the name, so it is not looked up.
SourceKind = Literal["registry", "git", "url", "path", "workspace", "private"]
# Checked as enum/literal in Python, published as the plain strings the schema has always said
# (an enum field gets no title of its own: ecosystem's is given).
_AS_STRING = WithJsonSchema({"type": "string"})


class ReleaseRecord(Strict):
    """The dataset's record of one release, as verify, its output formats and the OSV export read it."""
    label: Literal["benign", "suspicious", "malicious", "unknown"] = Field(
        description="The dataset's label; unknown: analysed without a verdict.")
    score: float = Field(description="The verdict's score.")
    findings: list[RecordFinding] = Field(default_factory=list, description="The verdict's findings.")
    analyzed: str | None = Field(None, description="When the verdict was made (ISO 8601), if known.")
    url: str | None = Field(None, description="Where a person can read the full report, if anywhere.")

    def top_findings(self, n: int = 3) -> list[RecordFinding]:
        """The most severe findings first (stable among equals)."""
        return sorted(self.findings, key=lambda f: -SEVERITIES.index(f.severity))[:n]

    @field_serializer("findings")
    def _findings(self, findings: list[RecordFinding]):  # no return annotation: the schema stays as it is
        return [f.to_dict() for f in findings]  # without a null hash, as verify has always written them


class DependencyDoc(Strict):
    # One release a lockfile pins: what every lockfile parser returns and verify reports. Only a
    # registry release with a version is looked up; git, URL, path and workspace dependencies are
    # reported as such. name is the real name of an alias; file may be one the lockfile includes.
    # Frozen, so hashable. (A docstring would change the published schema.)
    model_config = ConfigDict(frozen=True)

    ecosystem: Annotated[Ecosystem, _AS_STRING] = Field(title="Ecosystem", description="Ecosystem id.")
    name: str = Field(description="Name, normalised per ecosystem.")
    version: str | None = Field(description="The locked version; null when the lockfile pins none.")
    file: str = Field(description="The lockfile it was read from.")
    line: int | None = Field(None, description="1-based line of its entry, when known.")
    key: str | None = Field(None, description="Where in the lockfile document, when no line is known.")
    direct: bool | None = Field(None, description="A direct dependency; null when the lockfile does not say.")
    source: Annotated[SourceKind, _AS_STRING] = Field(description="registry, git, url, path, workspace or private.")
    locator: str | None = Field(None, description="git URL@rev, archive URL, path or non-default index.")
    alias: str | None = Field(None, description="The name the project imports it under, if aliased.")
    dev: bool | None = Field(None, description="Development-only, when the lockfile says so.")
    markers: str | None = Field(None, description="Environment markers / platform, when recorded.")
    hashes: tuple[str, ...] = Field(default_factory=tuple, description="Integrity hashes the lockfile records.")

    @property
    def looked_up(self) -> bool:
        """Whether the dataset can hold this release: a registry release with a known version."""
        return self.source == "registry" and bool(self.version)

    @property
    def package(self) -> Package | None:
        return Package(self.ecosystem, self.name, self.version) if self.looked_up and self.version else None

    @property
    def where(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}"
        return f"{self.file} [{self.key}]" if self.key else self.file


class VerifyRowDoc(Strict):
    # One dependency and the dataset's record of its release: what verify hands every output format.
    model_config = ConfigDict(frozen=True)

    dependency: DependencyDoc = Field(description="The locked dependency.")
    status: Literal["malicious", "suspicious", "benign", "unknown", "not-looked-up"] = Field(
        description="The dataset's label, unknown when it has none, not-looked-up for non-registry deps.")
    release: ReleaseRecord | None = Field(None, description="The dataset's record, if it has one.")
    suppressed: str | None = Field(None, description="The suppression's reason, when one applies.")

    @classmethod
    def of(cls, dependency: DependencyDoc, release: ReleaseRecord | None = None,
           suppressed: str | None = None) -> VerifyRowDoc:
        """The row with its status: not-looked-up without a registry release to look up (git, URL,
        path, workspace, unpinned), else the release's label, unknown when the dataset has none."""
        status = "not-looked-up" if not dependency.looked_up else release.label if release is not None else "unknown"
        return cls(dependency=dependency, status=status, release=release, suppressed=suppressed)

    @property
    def flagged(self) -> bool:
        return self.status in ("suspicious", "malicious")


class ToolInfo(Strict):
    name: str = Field(description="Always pkgtrace.")
    version: str = Field(description="pkgtrace's version.")


class VerifyDocument(Strict):
    schema_version: Literal["pkgtrace-verify/1"] = Field(VERIFY_SCHEMA, description="Version of this shape.")
    tool: ToolInfo = Field(description="The tool that wrote it.")
    dataset: str | None = Field(None, description="The dataset (path or server URL) the records came from.")
    lockfiles: list[str] = Field(description="Lockfiles read.")
    failed_lockfiles: list[dict[str, Any]] = Field(description="Lockfiles that could not be read "
                                                               "(file, line, key, message).")
    notes: list[str] = Field(description="What the lockfile readers skipped or could not tell.")
    summary: dict[str, int] = Field(description="Rows per status, plus total and suppressed.")
    results: list[VerifyRowDoc] = Field(description="One row per dependency, worst first.")
