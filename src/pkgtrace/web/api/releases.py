"""Search releases; one release; its documents (OSSF dynamic, OSSF static, pkgtrace report)."""

from __future__ import annotations

from typing import Any, Literal, Optional

from fastapi import APIRouter, Depends, Query, Request

from pkgtrace.model import Ecosystem
from pkgtrace.web import queries, views
from pkgtrace.web.api.common import INVALID, READ, UNAVAILABLE, NameParam, VersionParam, services
from pkgtrace.api.responses import ReleaseDetail, SearchResult
from pkgtrace.web.services import Services

router = APIRouter(tags=["releases"])


@router.get("/search", response_model=SearchResult, responses={**INVALID, **UNAVAILABLE})
def search(q: str = Query("", max_length=600, description="Name or part of it; NAME@VERSION pins a version"),
           ecosystem: Optional[Ecosystem] = None,
           label: Optional[Literal["benign", "suspicious", "malicious"]] = None,
           analysed: bool = Query(False, description="only releases with an analysis"),
           limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0, le=1_000_000),
           svc: Services = Depends(services)) -> dict:
    """Releases whose name contains Q, exact matches first."""
    total, found = queries.search(svc.index, q.replace("\x00", ""), ecosystem=ecosystem, label=label,
                                  analysed_only=analysed, limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset, "results": [views.ref(s) for s in found]}


# Registered before the release route: a name may contain '/', so the longer pattern must win.
@router.get("/releases/{ecosystem}/{name:path}/{version}/documents/{kind}", response_model=dict[str, Any],
            responses=READ)
def document(ecosystem: Ecosystem, name: NameParam, version: VersionParam, kind: Literal["dynamic", "static", "report"],
             svc: Services = Depends(services)) -> dict:
    """The stored document as the pipeline wrote it: OSSF dynamic or static schema, or the pkgtrace report."""
    pkg = views.package(ecosystem, name, version)
    doc = svc.document(pkg, kind)
    if doc is None:
        raise views.NotFound(f"no {kind} document for {pkg}")
    return doc


@router.get("/releases/{ecosystem}/{name:path}/{version}", response_model=ReleaseDetail, responses=READ)
def release(request: Request, ecosystem: Ecosystem, name: NameParam, version: VersionParam,
            svc: Services = Depends(services)) -> dict:
    """A release: its state (poll this after submitting), label, score, findings and document links."""
    return views.release_view(svc, views.package(ecosystem, name, version)).api(str(request.base_url))
