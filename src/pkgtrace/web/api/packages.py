"""A package's versions with their labels."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from pkgtrace.model import Ecosystem
from pkgtrace.web import views
from pkgtrace.web.api.common import READ, NameParam, services
from pkgtrace.api.responses import PackageVersions
from pkgtrace.web.services import Services

router = APIRouter(tags=["packages"])


@router.get("/packages/{ecosystem}/{name:path}", response_model=PackageVersions, responses=READ)
def package_versions(ecosystem: Ecosystem, name: NameParam, svc: Services = Depends(services)) -> dict:
    """Every known release of the package, oldest first, with state, label and score."""
    views.package(ecosystem, name)
    return {"ecosystem": ecosystem.value, "name": name,
            "versions": [views.ref(s) for s in views.versions_view(svc, ecosystem, name)]}
