"""What changed between two versions of a package."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends

from pkgtrace.model import Ecosystem
from pkgtrace.web import views
from pkgtrace.web.api.common import READ, NameParam, services, version_query
from pkgtrace.api.responses import Diff
from pkgtrace.web.services import Services

router = APIRouter(tags=["diff"])


@router.get("/diff/{ecosystem}/{name:path}", response_model=Diff, responses=READ)
def diff(ecosystem: Ecosystem, name: NameParam,
         old: Optional[str] = version_query("default: NEW's analysed predecessor"),
         new: Optional[str] = version_query("default: the newest analysed version"),
         svc: Services = Depends(services)) -> dict:
    """Behaviour, findings and static indicators added and removed from OLD to NEW."""
    views.package(ecosystem, name, old)
    views.package(ecosystem, name, new)
    return views.diff_view(svc, ecosystem, name, old, new)
