"""Ask for a registry release to be analysed (token needed); poll it at its release URL."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from pkgtrace.pipeline.queues import PRIORITY_USER
from pkgtrace.pipeline.scheduler import Scheduler
from pkgtrace.web import queries, urls, views
from pkgtrace.web.api.common import AUTH, BAD_BODY, INVALID, UNAVAILABLE, services
from pkgtrace.web.auth import require_token
from pkgtrace.api.responses import SubmitRequest, SubmitResponse
from pkgtrace.web.services import Services

router = APIRouter(tags=["submit"])


@router.post("/submissions", response_model=SubmitResponse, status_code=202,
             responses={**BAD_BODY, **AUTH, **INVALID, **UNAVAILABLE})
def submit(body: SubmitRequest, svc: Services = Depends(services), _auth: str = Depends(require_token)) -> dict:
    """Record the release for the scheduler, ahead of the feed backlog. `exists` when it is already
    analysed or on its way (send force=true to analyse it again)."""
    pkg = views.package(body.ecosystem, body.name, body.version)
    # The scheduler's own entry point: the running pipeline (`pkgtrace up`/`scheduler`) picks it up.
    # Submitting only records the request in the index; no queue connection is needed here.
    result = Scheduler(svc.index, None).submit(pkg, priority=PRIORITY_USER, force=body.force, source="api")
    detail = queries.release(svc.index, pkg)
    assert detail is not None  # just recorded
    return {"result": result, "release": views.ref(detail.summary),
            "poll_url": urls.release_api(pkg.ecosystem.value, pkg.name, pkg.version)}

