"""One analysis of one release: resolve, fetch, run static and/or dynamic analysis, assemble documents.

The CLI's `analyze`, the pipeline's workers and `eval` all come through `analyze()`; storing the
documents is the caller's business (see results/stores).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal

from pkgtrace.api.dynamic import DynamicSection
from pkgtrace.api.report import ArtifactRef, PackageRef, Report, Timings
from pkgtrace.api.static import StaticSection
from pkgtrace.api.verdict import Verdict
from pkgtrace.ecosystems import registry_for, release_history
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.runsc import Limits

Mode = Literal["static", "dynamic", "all"]
Progress = Callable[[str], None]


@dataclass
class AnalysisRequest:
    ecosystem: Ecosystem
    name: str | None = None
    version: str | None = None
    local: Path | None = None
    mode: Mode = "all"
    limits: Limits | None = None  # sandbox limits; None means the defaults
    # registry metadata for the verdict's metadata rules; None: only for registry releases
    metadata: bool | None = None


@dataclass
class AnalysisOutcome:
    package: Package
    artifact: Artifact
    # "dynamic" (OSSF dynamic schema), "static" (OSSF static schema), "report" (pkgtrace report)
    documents: dict[str, dict] = field(default_factory=dict)
    report: Report | None = None  # documents["report"] as the model it was built as


def resolve_artifact(request: AnalysisRequest, work: Path) -> Artifact:
    registry = registry_for(request.ecosystem)
    if request.local is not None:
        local = Path(request.local)
        if not local.is_file():
            raise FileNotFoundError(f"{local}: no such file")
        package = registry.identify_local(local)
        # Copy so that the sandbox mounts a file nobody else can change while it runs.
        dest = work / "artifact" / local.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, dest)
        return Artifact.from_file(package, dest)
    if not request.name:
        raise ValueError("a package name or --local FILE is required")
    package = registry.resolve(request.name, request.version)
    return registry.download(package, work / "artifact")


def analyze(request: AnalysisRequest, *, progress: Progress = lambda _m: None) -> AnalysisOutcome:
    work = Path(tempfile.mkdtemp(prefix="pkgtrace-analysis-"))
    try:
        progress("fetching artifact")
        artifact = resolve_artifact(request, work)
        outcome = AnalysisOutcome(artifact.package, artifact)
        pkg = artifact.package
        # Built as the published model, so that what is stored is what the schema says.
        report = Report(package=PackageRef(ecosystem=pkg.ecosystem, name=pkg.name, version=pkg.version),
                        artifact=ArtifactRef(filename=artifact.path.name, sha256=artifact.sha256,
                                             url=artifact.url, local=request.local is not None),
                        created=int(time.time()), timings=Timings())
        if request.mode in ("static", "all"):
            from pkgtrace.static import analyze_artifact as static_analyze
            t0 = time.monotonic()
            progress("static analysis")
            outcome.documents["static"], section = static_analyze(artifact, progress=progress)
            report.static = StaticSection.model_validate(section)
            report.timings.static_s = round(time.monotonic() - t0, 3)
        if request.mode in ("dynamic", "all"):
            from pkgtrace.dynamic.run import analyze_dynamic
            t0 = time.monotonic()
            outcome.documents["dynamic"], section = analyze_dynamic(artifact, limits=request.limits,
                                                                    progress=progress)
            report.dynamic = DynamicSection.model_validate(section)
            report.timings.dynamic_s = round(time.monotonic() - t0, 3)
        t0 = time.monotonic()
        progress("verdict")
        report.verdict = _verdict(request, artifact, {**outcome.documents, "report": report})
        report.timings.verdict_s = round(time.monotonic() - t0, 3)
        outcome.report, outcome.documents["report"] = report, report.as_dict()
        return outcome
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _verdict(request: AnalysisRequest, artifact: Artifact, documents: dict) -> Verdict:
    """The verdict on DOCUMENTS, whose report is the model being built (not dumped to be read back)."""
    from pkgtrace.verdict import judge
    fetch = request.local is None if request.metadata is None else request.metadata
    pkg = artifact.package
    md = release_history(pkg.ecosystem.value, pkg.name, pkg.version) if fetch else None
    # Code rules read the artifact's source: static evidence, so not in a dynamic-only run.
    code = artifact.path if request.mode in ("static", "all") else None
    return Verdict.model_validate(judge(documents, artifact=code, metadata=md))

