"""Check a lockfile against the dataset: every pinned registry release with its label."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Literal, Optional

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile

from pkgtrace.pipeline.queues import PRIORITY_VERIFY
from pkgtrace.web import urls
from pkgtrace.web.api.common import AUTH, BAD_BODY, INVALID, UNAVAILABLE, services
from pkgtrace.web.api.uploads import TOO_LARGE
from pkgtrace.web.auth import bearer, require_token
from pkgtrace.api.responses import VerifyResult
from pkgtrace.web.services import Services
from pkgtrace.web.uploads import UploadError, safe_filename

router = APIRouter(tags=["verify"])

RANK = {"malicious": 3, "suspicious": 2}
_PENDING = ("new", "queuing", "queued", "running")


def status_of(verdict, state) -> str:
    """verdict: the stored analysis (or None); state: the pipeline's state when not analysed."""
    if verdict is not None:
        return verdict.label if verdict.label in ("malicious", "suspicious", "benign") else "unscored"
    if state is None:
        return "unknown"
    if state.state in _PENDING:
        return "pending"
    if state.state in ("failed", "dead", "skipped"):
        return "failed"
    return "unknown"


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
    from pkgtrace.lockfiles import LockfileError, parser_named, read_lockfile
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
    with tempfile.TemporaryDirectory(prefix="pkgtrace-verify-") as tmp:
        path = Path(tmp, name)
        path.write_bytes(data)
        try:
            lock = read_lockfile(path, format)
        except LockfileError as e:
            raise UploadError(422, str(e).replace(str(path), name)) from None
        except (UnicodeError, ValueError, OSError) as e:
            raise UploadError(422, f"{name}: cannot read it: {e}") from None
    # One lookup per release, through the same read queries `pkgtrace verify` uses (names folded
    # the way each registry folds them).
    from pkgtrace.results.index.query import release_state, release_verdict
    looked: dict = {}
    for d in lock.dependencies:
        pkg = d.package
        if pkg is not None and pkg not in looked:
            v = release_verdict(svc.index, pkg)
            st = None if v is not None else release_state(svc.index, pkg)
            looked[pkg] = (v, st)
    deps, counts, submitted = [], {}, 0
    for d in lock.dependencies:
        pkg = d.package
        v, st = looked.get(pkg, (None, None)) if pkg is not None else (None, None)
        status = status_of(v, st) if pkg is not None else "not_checked"
        if status == "unknown" and submit and pkg is not None:
            svc.index.request(pkg, source="verify", priority=PRIORITY_VERIFY)
            submitted += 1
            status = "pending"
        counts[status] = counts.get(status, 0) + 1
        shown = v.package if v is not None else pkg
        deps.append({"ecosystem": d.ecosystem.value, "name": d.name, "version": d.version, "source": d.source,
                     "direct": d.direct, "line": d.line, "status": status, "score": v.score if v else None,
                     "url": urls.release_page(shown.ecosystem.value, shown.name, shown.version) if shown else None})
    failed = any(RANK.get(x["status"], 0) >= RANK[fail_on] for x in deps)
    return {"lockfile": name, "format": lock.format, "ecosystem": lock.ecosystem.value, "counts": counts,
            "failed": failed, "fail_on": fail_on, "submitted": submitted, "dependencies": deps}
