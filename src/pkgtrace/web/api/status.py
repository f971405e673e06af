"""The pipeline's state: queue depth, dead letters, releases by state, throughput, feed lag."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from pkgtrace.web import views
from pkgtrace.web.api.common import UNAVAILABLE, services
from pkgtrace.api.responses import Status
from pkgtrace.web.services import Services

router = APIRouter(tags=["status"])


def collect(svc: Services, recent: int = 15) -> dict:
    from pkgtrace.pipeline import status as pipeline_status
    from pkgtrace.web import queries
    q = svc.queue()
    out = pipeline_status.collect(svc.index, q)
    if isinstance(out.get("queue"), dict) and "error" in out["queue"]:
        out["queue_error"] = out["queue"].pop("error")
        out["queue"] = None
    elif q is None:
        out["queue_error"] = svc.queue_error or "no queue configured"
    out["recent"] = [views.ref(s) for s in queries.recent_analyses(svc.index, recent)]
    return out


@router.get("/status", response_model=Status, responses=UNAVAILABLE)
def status(svc: Services = Depends(services)) -> dict:
    """What `pkgtrace status` shows, plus the most recent analyses."""
    return collect(svc)
