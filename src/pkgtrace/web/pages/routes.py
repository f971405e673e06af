"""The HTML pages. Each reads the same views the API serves, so pages and API never disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from pkgtrace.model import Ecosystem
from pkgtrace.results.documents import read_documents
from pkgtrace.web import queries, urls, views
from pkgtrace.web.api.common import services
from pkgtrace.web.pages import behaviour
from pkgtrace.web.services import Services

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.globals.update(urls=urls, ecosystems=[e.value for e in Ecosystem])


def _ago(ts: float | None) -> str:
    import time
    if not ts:
        return "-"
    s = max(0, time.time() - ts)
    for unit, n in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= n:
            return f"{int(s // n)}{unit} ago"
    return f"{int(s)}s ago"


templates.env.filters["ago"] = _ago

router = APIRouter(include_in_schema=False)

CHANGES_SHOWN = 10


# Everything on a release page was written by the package under analysis: autoescaping keeps it
# text, and the policy forbids any script or style but our own, so nothing it wrote can run.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def page(request: Request, template: str, status_code: int = 200, **ctx) -> HTMLResponse:
    return templates.TemplateResponse(request, template, ctx, status_code=status_code, headers=SECURITY_HEADERS)


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: str = Query("", max_length=600), ecosystem: Optional[str] = None,
                label: Optional[str] = None, svc: Services = Depends(services)):
    eco = None
    if ecosystem:
        try:
            eco = Ecosystem.parse(ecosystem)
        except ValueError:
            eco = None
    results, total = [], 0
    if q or eco or label:
        total, results = queries.search(svc.index, q.replace("\x00", ""), ecosystem=eco,
                                        label=label if label in ("benign", "suspicious", "malicious") else None,
                                        limit=100)
    recent = [] if (q or eco or label) else queries.recent_analyses(svc.index, 20)
    return page(request, "search.html", q=q, ecosystem=eco.value if eco else "", label=label or "",
                results=results, total=total, recent=recent)


@router.get("/package/{ecosystem}/{name:path}", response_class=HTMLResponse)
def package_page(request: Request, ecosystem: Ecosystem, name: str, svc: Services = Depends(services)):
    views.package(ecosystem, name)
    found = views.versions_view(svc, ecosystem, name)
    # What changed between consecutive analysed releases: the newest CHANGES_SHOWN pairs (each diff
    # reads both releases' documents from the store; the diff page has any other pair).
    analysed = [s for s in found if s.analysed_at is not None or s.label is not None]
    pairs = {new.version: old for old, new in list(zip(analysed, analysed[1:]))[-CHANGES_SHOWN:]}
    rows = []
    for s in found:
        change, prev = None, pairs.get(s.version)
        if prev is not None:
            try:
                d = views.diff_view(svc, ecosystem, name, prev.version, s.version)
                change = {"url": urls.diff_page(ecosystem.value, name, prev.version, s.version), "from": prev.version,
                          "sections": [x for x in d["sections"] if x["added"] or x["removed"]],
                          "label": d["label"]}
            except views.NotFound:
                change = None
        rows.append({"s": s, "change": change})
    rows.reverse()
    return page(request, "package.html", ecosystem=ecosystem.value, name=name, rows=rows[:200])


@router.get("/release/{ecosystem}/{name:path}/{version}", response_class=HTMLResponse)
def release_page(request: Request, ecosystem: Ecosystem, name: str, version: str, svc: Services = Depends(services)):
    v = views.release_view(svc, views.package(ecosystem, name, version))
    docs = read_documents(v.documents, lenient=True)  # a page shows what it can read
    return page(request, "release.html", v=v, s=v.summary, phases=behaviour.phases(docs),
                static=behaviour.static_view(docs), report=docs.report,
                diff_url=urls.diff_page(ecosystem.value, name, v.predecessor, version) if v.predecessor else None)


@router.get("/diff/{ecosystem}/{name:path}", response_class=HTMLResponse)
def diff_page(request: Request, ecosystem: Ecosystem, name: str, old: Optional[str] = None,
              new: Optional[str] = None, svc: Services = Depends(services)):
    views.package(ecosystem, name, old)
    views.package(ecosystem, name, new)
    d = views.diff_view(svc, ecosystem, name, old, new)
    return page(request, "diff.html", d=d, ecosystem=ecosystem.value, name=name)


@router.get("/status", response_class=HTMLResponse)
def status_page(request: Request, svc: Services = Depends(services)):
    from pkgtrace.web.api.status import collect
    return page(request, "status.html", st=collect(svc))
