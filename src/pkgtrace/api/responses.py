"""The HTTP API's request and response shapes (they are its OpenAPI document)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from pydantic import BaseModel, Field, StrictBool

from pkgtrace.api.findings import RecordFinding
from pkgtrace.model import Ecosystem

API_SCHEMA = "pkgtrace-api/1"


class Response(BaseModel):
    """A top-level response body: it says which version of the API's shapes it has."""
    schema_version: Literal["pkgtrace-api/1"] = Field(API_SCHEMA, description="Version of the API's response shapes.")


class Error(Response):
    detail: Any = Field(description="What went wrong, for a person.")


class ReleaseRef(BaseModel):
    ecosystem: str = Field(description="Ecosystem id.")
    name: str = Field(description="Package name.")
    version: str = Field(description="Release version.")
    state: str = Field(description="new, queuing, queued, running, done, failed, dead or skipped")
    source: Optional[str] = Field(None, description="Where the release came from (a feed, a submission, an upload).")
    label: Optional[str] = Field(None, description="The verdict's label, once analysed.")
    score: Optional[float] = Field(None, description="The verdict's score, once analysed.")
    analysed_at: Optional[float] = Field(None, description="unix seconds")
    published_at: Optional[float] = Field(None, description="When the registry published it, unix seconds.")
    url: str = Field(description="the release's web page")
    api_url: str = Field(description="The release's API URL.")


class SearchResult(Response):
    total: int = Field(description="Releases matching, in all.")
    limit: int = Field(description="Page size.")
    offset: int = Field(description="Releases skipped.")
    results: list[ReleaseRef] = Field(description="This page of releases.")


class AnalysisInfo(BaseModel):
    created: Optional[float] = Field(None, description="When the analysis ran, unix seconds.")
    kinds: list[str] = Field(description="Documents stored (report, static, dynamic).")
    artifact_filename: Optional[str] = Field(None, description="File name of the analysed archive.")
    artifact_sha256: Optional[str] = Field(None, description="SHA-256 of the analysed archive.")
    artifact_url: Optional[str] = Field(None, description="Where the archive was downloaded from.")
    static_s: Optional[float] = Field(None, description="Seconds of static analysis.")
    dynamic_s: Optional[float] = Field(None, description="Seconds of dynamic analysis.")
    duration_s: Optional[float] = Field(None, description="Seconds of the whole job.")
    report_schema: Optional[str] = Field(None, description="schema_version of the stored report.")


class VerdictSummary(BaseModel):
    label: Optional[str] = Field(None, description="The verdict's label.")
    score: Optional[float] = Field(None, description="The verdict's score.")


class ReleaseDetail(Response):
    release: ReleaseRef = Field(description="The release.")
    url: str = Field(description="the release's web page, absolute")
    verdict: Optional[VerdictSummary] = Field(None, description="null until the release is analysed")
    analyzed: Optional[float] = Field(None, description="unix seconds the analysis ran")
    attempts: int = Field(description="Analysis attempts so far.")
    last_error: Optional[str] = Field(None, description="Why the last attempt failed, if it did.")
    analysis: Optional[AnalysisInfo] = Field(None, description="null until the release is analysed")
    findings: list[RecordFinding] = Field(description="The verdict's findings.")
    documents: dict[str, str] = Field(description="document kind → its API URL")
    predecessor: Optional[str] = Field(None, description="the analysed version before this one")
    diff_url: Optional[str] = Field(None, description="The diff against the predecessor, in the API.")


class PackageVersions(Response):
    ecosystem: str = Field(description="Ecosystem id.")
    name: str = Field(description="Package name.")
    versions: list[ReleaseRef] = Field(description="Its known releases.")


class DiffSection(BaseModel):
    name: str = Field(description="What is compared (hosts, commands, files…).")
    added: list[str] = Field(description="Only in the newer release.")
    removed: list[str] = Field(description="Only in the older release.")


class Diff(Response):
    old: ReleaseRef = Field(description="The older release.")
    new: ReleaseRef = Field(description="The newer release.")
    label: dict[str, Optional[str]] = Field(description="Labels: old and new.")
    score: dict[str, Optional[float]] = Field(description="Scores: old and new.")
    changed: bool = Field(description="Anything changed.")
    sections: list[DiffSection] = Field(description="Per dimension, what changed.")
    engine: str = Field(description="Which diff produced the sections.")
    canonical: Optional[Any] = Field(None, description="the verdict feature's own diff, when available")


class SubmitRequest(BaseModel):
    ecosystem: Ecosystem = Field(description="Ecosystem id.")
    name: str = Field(min_length=1, max_length=512, pattern=r"^[^\x00-\x1f\x7f]+$", description="Package name.")
    version: str = Field(min_length=1, max_length=256, pattern=r"^[^\x00-\x1f\x7f/]+$", description="Release version.")
    force: StrictBool = Field(False, description="analyse again even if already analysed")


class SubmitResponse(Response):
    result: Literal["new", "requeued", "exists"] = Field(description="new: queued now; requeued: queued again; exists: already known.")
    release: ReleaseRef = Field(description="The release.")
    poll_url: str = Field(description="Poll this for the result.")


class Upload(Response):
    id: str = Field(description="The upload's id.")
    state: str = Field(description="queued, running, done or failed")
    error: Optional[str] = Field(None, description="Why it failed, if it did.")
    filename: str = Field(description="The uploaded file's name.")
    ecosystem: str = Field(description="Ecosystem id.")
    name: str = Field(description="The name the archive declares.")
    version: str = Field(description="the version the archive declares")
    recorded_version: str = Field(description="the version it is recorded under: VERSION+upload.ID")
    size: int = Field(description="Size in bytes.")
    sha256: str = Field(description="SHA-256 of the upload.")
    mode: str = Field(description="Analysis mode: static, dynamic or all.")
    label: Optional[str] = Field(None, description="The verdict's label, once done.")
    score: Optional[float] = Field(None, description="The verdict's score, once done.")
    poll_url: str = Field(description="Poll this for the result.")
    release_url: str = Field(description="The release's web page.")
    api_url: str = Field(description="The release's API URL.")


class VerifiedDependency(BaseModel):
    ecosystem: str = Field(description="Ecosystem id.")
    name: str = Field(description="Package name.")
    version: Optional[str] = Field(None, description="The locked version, if pinned.")
    source: str = Field(description="registry, git, url, path, workspace or private.")
    direct: Optional[bool] = Field(None, description="A direct dependency, when the lockfile says.")
    line: Optional[int] = Field(None, description="Line in the lockfile, when known.")
    status: Literal["malicious", "suspicious", "benign", "unscored", "pending", "failed", "unknown",
                    "not_checked"] = Field(
        description="the dataset's label; unscored: analysed without a verdict; pending: on its way; "
                    "failed: the analysis failed; unknown: not in the dataset; "
                    "not_checked: no registry release to look up (git, path, unpinned…)")
    score: Optional[float] = Field(None, description="The verdict's score, if any.")
    url: Optional[str] = Field(None, description="The release's web page, if known.")


class VerifyResult(Response):
    lockfile: str = Field(description="The lockfile's name as uploaded.")
    format: str = Field(description="The lockfile format detected.")
    ecosystem: str = Field(description="Its ecosystem.")
    counts: dict[str, int] = Field(description="Dependencies per status.")
    failed: bool = Field(description="true when a dependency's label is at or above fail_on")
    fail_on: str = Field(description="The label at or above which the result fails.")
    submitted: int = Field(0, description="unknown releases submitted for analysis (with a token and submit=true)")
    dependencies: list[VerifiedDependency] = Field(description="Every locked dependency.")


class Status(Response):
    time: float = Field(description="Server time, unix seconds.")
    queue: Optional[dict[str, Any]] = Field(None, description="Queue depths, if the queue answered.")
    queue_error: Optional[str] = Field(None, description="Why the queue did not answer.")
    dead_letters: list[dict[str, Any]] = Field(description="Jobs that failed for good.")
    releases: dict[str, int] = Field(description="Releases per state.")
    throughput: dict[str, Any] = Field(description="Analyses per period.")
    failures: dict[str, Any] = Field(description="Failures by kind.")
    feeds: list[dict[str, Any]] = Field(description="Each feed's position and health.")
    recent: list[ReleaseRef] = Field(description="Recently analysed releases.")
