"""A remote pkgtrace server's dataset, over its HTTP API: GET /api/releases/{eco}/{name}/{version}.

The server (pkgtrace.web, `pkgtrace serve`) answers {"release", "url", "verdict": {"label",
"score"} | null, "analysis": {…} | null, "analyzed", "findings": […], …}: 404 when it has never
heard of the release, and "analysis": null while it is known but not analysed yet. A stored report (report.json) or
a verdict alone is read too, so that a plain file server of reports also works. A scoped npm name
keeps its '@/'. `--analyze-missing` submits with POST /api/submissions (an API token is needed) and polls the
release until it is analysed or given up ("dead", "skipped")."""

from __future__ import annotations

import os
from urllib.parse import quote

import httpx
from pydantic import ValidationError

from pkgtrace import __version__
from pkgtrace.api import ReportError, Verdict, upgrade_report
from pkgtrace.api.responses import ReleaseDetail
from pkgtrace.api.verify import ReleaseRecord
from pkgtrace.model import Package
from pkgtrace.verify.interface import DatasetError
from pkgtrace.verify.records import record_from


def release_path(package: Package) -> str:
    return "/".join(quote(s, safe="@/") for s in (package.ecosystem.value, package.name, package.version))


class RemoteDataset:
    def __init__(self, base_url: str, *, token: str | None = None, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.base = base_url.rstrip("/")
        self.name = self.base
        token = token or os.environ.get("PKGTRACE_API_TOKEN")
        headers = {"User-Agent": f"pkgtrace/{__version__} (verify)", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.client = httpx.Client(base_url=self.base, headers=headers, timeout=timeout, follow_redirects=True,
                                   transport=transport or httpx.HTTPTransport(retries=2))

    def lookup(self, package: Package) -> ReleaseRecord | None:
        doc = self._get(f"/api/releases/{release_path(package)}")
        if doc is None:
            return None
        page = f"{self.base}/release/{release_path(package)}"
        try:
            detail = ReleaseDetail.model_validate(doc)
        except ValidationError:  # not the API's answer: a stored report, or its verdict alone
            verdict, created = self._verdict(doc)
            return record_from(verdict.label, verdict.score, verdict.findings, analyzed=created, url=page)
        if detail.analysis is None or detail.verdict is None:
            return None  # known to the server (announced, queued, failed) but not analysed
        return record_from(detail.verdict.label, detail.verdict.score, detail.findings,
                           analyzed=detail.analyzed, url=detail.url or page)

    def _verdict(self, doc: dict) -> tuple[Verdict, int | None]:
        """The verdict of a stored report, or a verdict alone, and when it was made if known."""
        try:
            if "package" not in doc:
                return Verdict.model_validate(doc), None
            report = upgrade_report(doc)
        except (ReportError, ValidationError) as e:
            raise DatasetError(f"{self.base}: neither a release, a report nor a verdict: {e}") from None
        if report.verdict is None:
            raise DatasetError(f"{self.base}: the report has no verdict")
        return report.verdict, report.created

    def submit(self, package: Package) -> None:
        """POST /api/submissions (needs an API token): the server's pipeline analyses it."""
        body = {"ecosystem": package.ecosystem.value, "name": package.name, "version": package.version}
        try:
            r = self.client.post("/api/submissions", json=body)
        except httpx.HTTPError as e:
            raise DatasetError(f"{self.base}: {type(e).__name__}: {e}") from e
        if r.status_code in (401, 403):
            raise DatasetError(f"{self.base}: submitting needs an API token (--token or PKGTRACE_API_TOKEN): "
                               f"{_detail(r)}")
        if r.status_code not in (200, 201, 202):
            raise DatasetError(f"{self.base}/api/submissions: HTTP {r.status_code}: {_detail(r)}")

    def state(self, package: Package) -> tuple[str, str | None] | None:
        doc = self._get(f"/api/releases/{release_path(package)}")
        if doc is None:
            return None
        try:
            detail = ReleaseDetail.model_validate(doc)
        except ValidationError:  # a file server of reports knows of no pipeline
            return "unknown", None
        return detail.release.state, detail.last_error

    def _get(self, path: str) -> dict | None:
        try:
            r = self.client.get(path)
        except httpx.HTTPError as e:
            raise DatasetError(f"{self.base}: {type(e).__name__}: {e}") from e
        if r.status_code == 404:
            return None
        if r.status_code in (401, 403):
            raise DatasetError(f"{self.base}{path}: {r.status_code} (give an API token with --token "
                               f"or PKGTRACE_API_TOKEN)")
        if r.status_code != 200:
            raise DatasetError(f"{self.base}{path}: HTTP {r.status_code}: {r.text[:200]}")
        try:
            doc = r.json()
        except ValueError:
            raise DatasetError(f"{self.base}{path}: the answer is not JSON") from None
        if not isinstance(doc, dict):
            raise DatasetError(f"{self.base}{path}: expected a JSON object, got {type(doc).__name__}")
        return doc

    def close(self) -> None:
        self.client.close()


def _detail(r: httpx.Response) -> str:
    try:
        d = r.json()
        return str(d.get("detail") if isinstance(d, dict) else d)[:300]
    except ValueError:
        return r.text[:300]
