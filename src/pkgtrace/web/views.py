"""What the API and the pages both show, assembled once: a release, a package's versions, a diff."""

from __future__ import annotations

from dataclasses import dataclass

from pkgtrace.api.findings import RecordFinding
from pkgtrace.formats.interface import SEVERITY_RANK
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.documents import stored_verdict
from pkgtrace.results.index.query import analysis_findings
from pkgtrace.web import queries, urls
from pkgtrace.web.diffing import diff_releases
from pkgtrace.web.services import Services

_CONTROL = {chr(i) for i in range(32)} | {"\x7f"}


class NotFound(Exception):
    """Nothing known about the release or package; the message says what."""


class BadRequest(Exception):
    pass


def package(ecosystem: Ecosystem, name: str, version: str | None = None) -> Package:
    """Validated identity; BadRequest for names no registry allows (control characters, too long)."""
    for what, text, cap in (("name", name, 512), ("version", version, 256)):
        if text is None:
            continue
        if not text or len(text) > cap or any(ch in _CONTROL for ch in text):
            raise BadRequest(f"invalid package {what}")
    return Package(ecosystem, name, version or "")


def ref(s: queries.ReleaseSummary) -> dict:
    return {**s.to_dict(), "url": urls.release_page(s.ecosystem, s.name, s.version),
            "api_url": urls.release_api(s.ecosystem, s.name, s.version)}


@dataclass
class ReleaseView:
    summary: queries.ReleaseSummary
    detail: queries.ReleaseDetail
    findings: list[dict]
    documents: dict[str, dict]
    predecessor: str | None

    def api(self, base_url: str = "") -> dict:
        a = self.detail.analysis
        s = self.summary
        analysed = a is not None or s.label is not None
        return {
            "release": ref(s), "url": base_url.rstrip("/") + urls.release_page(s.ecosystem, s.name, s.version),
            "verdict": {"label": s.label, "score": s.score} if analysed else None,
            "analyzed": (a or {}).get("created") or s.analysed_at,
            "attempts": self.detail.attempts, "last_error": self.detail.last_error,
            "analysis": None if a is None else {
                "created": a["created"], "kinds": [k for k in (a["kinds"] or "").split(",") if k],
                **{k: a[k] for k in ("artifact_filename", "artifact_sha256", "artifact_url", "static_s",
                                     "dynamic_s", "duration_s", "report_schema")}},
            "findings": [{k: v for k, v in f.items() if k in RecordFinding.model_fields} for f in self.findings],
            "documents": {k: urls.document_api(s.ecosystem, s.name, s.version, k) for k in self.documents},
            "predecessor": self.predecessor,
            "diff_url": urls.diff_api(s.ecosystem, s.name, self.predecessor, s.version) if self.predecessor else None,
        }


def _findings(services: Services, detail: queries.ReleaseDetail, documents: dict) -> list[dict]:
    """From the stored verdict (full evidence), else from the index rows."""
    verdict = stored_verdict(documents)
    if verdict is not None:
        # the hash goes along: a remote verify's hash-keyed suppressions match on it
        return [f.model_dump(mode="json", exclude_none=True) for f in verdict.findings]
    if detail.analysis is None:
        return []
    with services.index.engine.connect() as c:
        return [f.model_dump(mode="json") for f in analysis_findings(c, detail.analysis["id"])]


def release_view(services: Services, pkg: Package) -> ReleaseView:
    detail = queries.release(services.index, pkg)
    documents = services.documents(pkg)
    if detail is None:
        if not documents:
            raise NotFound(f"no release {pkg} in the dataset")
        # Stored but not (yet) indexed: show what the documents say.
        verdict = stored_verdict(documents)
        detail = queries.ReleaseDetail(
            queries.ReleaseSummary(pkg.ecosystem.value, pkg.name, pkg.version, "done", None,
                                   verdict and verdict.label, verdict and verdict.score, None, None), 0, None, None)
    findings = _findings(services, detail, documents)
    findings.sort(key=lambda f: -SEVERITY_RANK.get(f.get("severity") or "", -1))  # most severe first
    return ReleaseView(detail.summary, detail, findings, documents, queries.predecessor(services.index, pkg))


def versions_view(services: Services, ecosystem: Ecosystem, name: str) -> list[queries.ReleaseSummary]:
    found = queries.versions(services.index, ecosystem, name)
    if not found:
        raise NotFound(f"no package {ecosystem.value}/{name} in the dataset")
    return found


def diff_view(services: Services, ecosystem: Ecosystem, name: str, old: str | None, new: str | None) -> dict:
    """The diff of two versions (OLD defaults to NEW's predecessor, NEW to the newest analysed)."""
    found = versions_view(services, ecosystem, name)
    analysed = [s for s in found if s.analysed_at is not None or s.label is not None]
    if new is None:
        if not analysed:
            raise NotFound(f"no analysed release of {ecosystem.value}/{name}")
        new = analysed[-1].version
    by_version = {s.version: s for s in found}
    if new not in by_version:
        raise NotFound(f"no release {ecosystem.value}/{name}@{new} in the dataset")
    if old is None:
        old = queries.predecessor(services.index, Package(ecosystem, name, new))
        if old is None:
            raise NotFound(f"{ecosystem.value}/{name}@{new} has no analysed predecessor to compare with")
    if old not in by_version:
        raise NotFound(f"no release {ecosystem.value}/{name}@{old} in the dataset")
    old_docs = services.documents(Package(ecosystem, name, old))
    new_docs = services.documents(Package(ecosystem, name, new))
    for v, docs in ((old, old_docs), (new, new_docs)):
        if not docs:
            raise NotFound(f"{ecosystem.value}/{name}@{v} has no stored documents yet")
    d = diff_releases(old_docs, new_docs)
    return {"old": ref(by_version[old]), "new": ref(by_version[new]), **d}
