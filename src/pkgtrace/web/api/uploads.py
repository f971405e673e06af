"""Upload an archive for analysis (token needed, size-limited, validated); poll the upload."""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, File, Form, UploadFile

from pkgtrace.model import Ecosystem
from pkgtrace.web import queries, urls, views
from pkgtrace.web.api.common import AUTH, BAD_BODY, INVALID, NOT_FOUND, UNAVAILABLE, services
from pkgtrace.web.auth import require_token
from pkgtrace.api.responses import Error, Upload
from pkgtrace.web.services import Services
from pkgtrace.web.uploads import UploadError, UploadRecord

router = APIRouter(tags=["submit"])

TOO_LARGE = {413: {"model": Error, "description": "The upload is over the server's size limit"}}


def upload_answer(svc: Services, rec: UploadRecord) -> dict:
    pkg = rec.package
    detail = queries.release(svc.index, pkg)
    state = detail.summary.state if detail else "queued"
    if state == "dead":  # the queue gave up on the job
        state = "failed"
    return {"id": rec.id, "state": state, "error": detail.last_error if detail and state == "failed" else None,
            "filename": rec.filename, "ecosystem": rec.ecosystem, "name": rec.name, "version": rec.version,
            "recorded_version": rec.recorded_version, "size": rec.size, "sha256": rec.sha256, "mode": rec.mode,
            "label": detail.summary.label if detail else None, "score": detail.summary.score if detail else None,
            "poll_url": urls.upload_api(rec.id),
            "release_url": urls.release_page(rec.ecosystem, rec.name, rec.recorded_version),
            "api_url": urls.release_api(rec.ecosystem, rec.name, rec.recorded_version)}


@router.post("/uploads", response_model=Upload, status_code=202,
             responses={**BAD_BODY, **AUTH, **INVALID, **TOO_LARGE, **UNAVAILABLE})
async def upload(ecosystem: Ecosystem = Form(...), file: UploadFile = File(..., description="the archive"),
                 svc: Services = Depends(services), _auth: str = Depends(require_token)) -> dict:
    """Analyse an archive that is not (or not yet) on a registry: sdist/wheel, npm tgz, .gem,
    composer zip or .crate. Refused when over the size limit, not an archive, or unsafe inside
    (entries outside the root, bombs, corrupt streams)."""
    limit = svc.settings.max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="pkgtrace-upload-") as tmp:
        spooled = Path(tmp, "archive")
        size = 0
        with open(spooled, "wb") as out:
            while chunk := await file.read(1 << 20):
                size += len(chunk)
                if size > limit:
                    raise UploadError(413, f"upload too large: the limit is {limit} bytes")
                out.write(chunk)
        import anyio
        rec = await anyio.to_thread.run_sync(svc.uploads.accept, ecosystem, file.filename or "upload", spooled)
    return upload_answer(svc, rec)


@router.get("/uploads/{upload_id}", response_model=Upload, responses={**NOT_FOUND, **UNAVAILABLE})
def upload_status(upload_id: str, svc: Services = Depends(services)) -> dict:
    """Where an upload is: queued, running, done (with its label) or failed (with the reason)."""
    rec = svc.uploads.record(upload_id)
    if rec is None:
        raise views.NotFound(f"no upload {upload_id!r}")
    return upload_answer(svc, rec)


