"""A remote pkgtrace server's dataset, over its HTTP API: GET /api/releases/{eco}/{name}/{version}.

The answer is read leniently: the verdict may be the document itself ({"label", "score",
"findings"}) or under "verdict" (the report's shape); 404 means the server has no analysis of
the release. A scoped npm name keeps its '@' and has its '/' escaped (%2F)."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import quote

import httpx

from pkgtrace import __version__
from pkgtrace.formats.interface import ReleaseRecord
from pkgtrace.model import Package
from pkgtrace.verify.interface import DatasetError
from pkgtrace.verify.records import record_from


def release_path(package: Package) -> str:
    return "/".join(quote(s, safe="@") for s in (package.ecosystem.value, package.name, package.version))


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
        path = f"/api/releases/{release_path(package)}"
        doc = self._get(path)
        if doc is None:
            return None
        verdict: Any = doc.get("verdict") if isinstance(doc.get("verdict"), dict) else doc
        findings = verdict.get("findings")
        if findings is None:
            findings = doc.get("findings")
        analyzed = doc.get("analyzed") or doc.get("created") or verdict.get("analyzed")
        url = doc.get("url") or doc.get("html_url") or f"{self.base}/releases/{release_path(package)}"
        return record_from(verdict.get("label"), verdict.get("score"), findings, analyzed=analyzed, url=url)

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
