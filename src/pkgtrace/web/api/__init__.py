"""The JSON API, one router per resource."""

from fastapi import APIRouter

from pkgtrace.web.api import diff, packages, releases, status, submissions, uploads, verify


def router() -> APIRouter:
    r = APIRouter(prefix="/api")
    for mod in (releases, packages, diff, submissions, uploads, verify, status):
        r.include_router(mod.router)
    return r
