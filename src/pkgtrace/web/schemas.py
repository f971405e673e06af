"""The API's request and response shapes (they are its OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, StrictBool

from pkgtrace.model import Ecosystem

Label = Literal["benign", "suspicious", "malicious"]


class Error(BaseModel):
    detail: Any = Field(description="What went wrong, for a person.")


class ReleaseRef(BaseModel):
    ecosystem: str
    name: str
    version: str
    state: str = Field(description="new, queuing, queued, running, done, failed, dead or skipped")
    source: Optional[str] = None
    label: Optional[str] = None
    score: Optional[float] = None
    analysed_at: Optional[float] = Field(None, description="unix seconds")
    published_at: Optional[float] = None
    url: str = Field(description="the release's web page")
    api_url: str


class SearchResult(BaseModel):
    total: int
    limit: int
    offset: int
    results: list[ReleaseRef]


class Finding(BaseModel):
    rule: str
    severity: Optional[str] = None
    message: Optional[str] = None
    evidence: dict[str, Any] = Field(default_factory=dict)


class AnalysisInfo(BaseModel):
    created: Optional[float] = None
    kinds: list[str]
    artifact_filename: Optional[str] = None
    artifact_sha256: Optional[str] = None
    artifact_url: Optional[str] = None
    static_s: Optional[float] = None
    dynamic_s: Optional[float] = None
    duration_s: Optional[float] = None
    report_schema: Optional[str] = None


class VerdictSummary(BaseModel):
    label: Optional[str] = None
    score: Optional[float] = None


class ReleaseDetail(BaseModel):
    release: ReleaseRef
    url: str = Field(description="the release's web page, absolute")
    verdict: Optional[VerdictSummary] = Field(None, description="null until the release is analysed")
    analyzed: Optional[float] = Field(None, description="unix seconds the analysis ran")
    attempts: int
    last_error: Optional[str] = None
    analysis: Optional[AnalysisInfo] = Field(None, description="null until the release is analysed")
    findings: list[Finding]
    documents: dict[str, str] = Field(description="document kind → its API URL")
    predecessor: Optional[str] = Field(None, description="the analysed version before this one")
    diff_url: Optional[str] = None


class PackageVersions(BaseModel):
    ecosystem: str
    name: str
    versions: list[ReleaseRef]


class DiffSection(BaseModel):
    name: str
    added: list[str]
    removed: list[str]


class Diff(BaseModel):
    old: ReleaseRef
    new: ReleaseRef
    label: dict[str, Optional[str]]
    score: dict[str, Optional[float]]
    changed: bool
    sections: list[DiffSection]
    engine: str
    canonical: Optional[Any] = Field(None, description="the verdict feature's own diff, when available")


class SubmitRequest(BaseModel):
    ecosystem: Ecosystem
    name: str = Field(min_length=1, max_length=512, pattern=r"^[^\x00-\x1f\x7f]+$")
    version: str = Field(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f/]+$")
    force: StrictBool = Field(False, description="analyse again even if already analysed")


class SubmitResponse(BaseModel):
    result: Literal["new", "requeued", "exists"]
    release: ReleaseRef
    poll_url: str


class Upload(BaseModel):
    id: str
    state: str = Field(description="queued, running, done or failed")
    error: Optional[str] = None
    filename: str
    ecosystem: str
    name: str
    version: str = Field(description="the version the archive declares")
    recorded_version: str = Field(description="the version it is recorded under: VERSION+upload.ID")
    size: int
    sha256: str
    mode: str
    label: Optional[str] = None
    score: Optional[float] = None
    poll_url: str
    release_url: str
    api_url: str


class VerifiedDependency(BaseModel):
    ecosystem: str
    name: str
    version: Optional[str] = None
    source: str
    direct: Optional[bool] = None
    line: Optional[int] = None
    status: Literal["malicious", "suspicious", "benign", "unscored", "pending", "failed", "unknown",
                    "not_checked"] = Field(
        description="the dataset's label; unscored: analysed without a verdict; pending: on its way; "
                    "failed: the analysis failed; unknown: not in the dataset; "
                    "not_checked: no registry release to look up (git, path, unpinned…)")
    score: Optional[float] = None
    url: Optional[str] = None


class VerifyResult(BaseModel):
    lockfile: str
    format: str
    ecosystem: str
    counts: dict[str, int]
    failed: bool = Field(description="true when a dependency's label is at or above fail_on")
    fail_on: str
    submitted: int = Field(0, description="unknown releases submitted for analysis (with a token and submit=true)")
    dependencies: list[VerifiedDependency]


class Status(BaseModel):
    time: float
    queue: Optional[dict[str, Any]] = None
    queue_error: Optional[str] = None
    dead_letters: list[dict[str, Any]]
    releases: dict[str, int]
    throughput: dict[str, Any]
    failures: dict[str, Any]
    feeds: list[dict[str, Any]]
    recent: list[ReleaseRef]
