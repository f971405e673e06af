"""Check a lockfile against the dataset: every pinned registry release with its label, through
the library's one verify (pkgtrace.verify), on the server's index."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Callable, Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from pkgtrace.api.responses import VerifiedDependency, VerifyResult
from pkgtrace.api.verify import DependencyDoc, VerifyRowDoc
from pkgtrace.formats.interface import fails
from pkgtrace.model import Package
from pkgtrace.verify import verify_lockfiles
from pkgtrace.verify.local import LocalDataset
from pkgtrace.web import urls
from pkgtrace.web.api.common import AUTH, BAD_BODY, INVALID, UNAVAILABLE, services
from pkgtrace.web.api.uploads import TOO_LARGE
from pkgtrace.web.auth import bearer, require_token
from pkgtrace.web.services import Services
from pkgtrace.web.uploads import UploadError, safe_filename

router = APIRouter(tags=["verify"])

_PENDING = ("new", "queuing", "queued", "running")
# What the API's row says of the locked dependency, as verify read it (ecosystem, name, version…)
_AS_READ = VerifiedDependency.model_fields.keys() & DependencyDoc.model_fields.keys()


def status_of(row: VerifyRowDoc, state_of: Callable[[Package], tuple[str, str | None] | None]) -> str:
    """The API's status: the dataset's label, or for a release it has no record of, where the
    pipeline is with it (pending, failed, unknown; STATE_OF: Dataset.state)."""
    if row.dependency.package is None:
        return "not_checked"
    if row.release is not None:
        return row.release.label if row.release.label != "unknown" else "unscored"
    state = state_of(row.dependency.package)
    if state is None:
        return "unknown"
    return "pending" if state[0] in _PENDING else "failed" if state[0] in ("failed", "dead", "skipped") else "unknown"


@router.post("/verify", response_model=VerifyResult, responses={**BAD_BODY, **AUTH, **INVALID, **TOO_LARGE, **UNAVAILABLE})
async def verify(request: Request,
                 lockfile: UploadFile = File(..., description="requirements.txt, poetry.lock, uv.lock, package-lock.json, "
                                                              "yarn.lock, pnpm-lock.yaml, Gemfile.lock, composer.lock, Cargo.lock…"),
                 format: Optional[str] = Form(None, max_length=64, description="force a format instead of detecting it"),
                 fail_on: Literal["malicious", "suspicious"] = Form("malicious"),
                 submit: bool = Form(False, description="submit releases the dataset does not know (needs a token)"),
                 svc: Services = Depends(services)) -> dict:
    """Every dependency the lockfile pins, with the dataset's verdict on it. `failed` is true when
    one is labelled FAIL_ON or worse. Reading is public; submit=true needs an API token."""
    from pkgtrace.lockfiles import parser_named
    if submit:
        # Read without declaring security: verify is public, only submit=true needs the token.
        require_token(request, await bearer(request))
    limit = svc.settings.max_lockfile_bytes
    data = await lockfile.read(limit + 1)
    if len(data) > limit:
        raise UploadError(413, f"lockfile too large: the limit is {limit} bytes")
    if format:
        try:
            parser_named(format)
        except ValueError as e:
            raise UploadError(422, str(e)) from None
    name = safe_filename(lockfile.filename or "lockfile")
    dataset = LocalDataset(svc.index, page=lambda p: urls.release_page(p.ecosystem.value, p.name, p.version))
    with tempfile.TemporaryDirectory(prefix="pkgtrace-verify-") as tmp:
        path = Path(tmp, name)
        path.write_bytes(data)
        result = await run_in_threadpool(verify_lockfiles, [path], dataset, lockfile_type=format)
    if result.errors:
        raise UploadError(422, str(result.errors[0]).replace(str(path), name))
    # index reads and submissions, one per release: off the event loop, as the lookups were
    deps, counts, submitted = await run_in_threadpool(_answer_rows, result.rows, dataset, submit)
    [lock] = result.lockfiles
    return {"lockfile": name, "format": lock.format, "ecosystem": lock.ecosystem.value, "counts": counts,
            "failed": fails(result.rows, fail_on), "fail_on": fail_on, "submitted": submitted, "dependencies": deps}


def _answer_rows(rows, dataset: LocalDataset, submit: bool) -> tuple[list[VerifiedDependency], dict[str, int], int]:
    """The API's row per dependency, the count per status, and how many releases were submitted."""
    deps, counts, submitted = [], {}, 0
    # once per release, as its lookup was (a lockfile pins one release at many paths)
    state_of = functools.lru_cache(maxsize=None)(dataset.state)
    for row in rows:
        d, status = row.dependency, status_of(row, state_of)
        if status == "unknown" and submit and d.package is not None:
            dataset.submit(d.package)
            submitted += 1
            status = "pending"
        counts[status] = counts.get(status, 0) + 1
        scored = row.release is not None and row.release.label != "unknown"
        page = urls.release_page(d.ecosystem.value, d.name, d.version) if d.package else None
        deps.append(VerifiedDependency(**d.model_dump(mode="json", include=_AS_READ), status=status,
                                       score=row.release.score if scored else None,
                                       url=row.release.url if row.release else page))
    return deps, counts, submitted
