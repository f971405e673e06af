"""The one HTTP client for talking to registries (ecosystems, feeds, verdict metadata): bodies
read with a size bound, transient failures (connection errors, timeouts, 429 and 5xx) retried a
few times with jittered backoff by stamina, and every failure raised as the caller's typed error
naming the URL."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import httpx
import stamina

USER_AGENT = "pkgtrace/0.1 (+malicious package analysis)"
MAX_METADATA_BYTES = 64 << 20
MAX_ARTIFACT_BYTES = 512 << 20
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ATTEMPTS = 3


class _Transient(Exception):
    """A failure worth another try; carries what to report if the tries run out."""

    def __init__(self, message: str):
        super().__init__(message)


def timeout() -> httpx.Timeout:
    seconds = float(os.environ.get("PKGTRACE_HTTP_TIMEOUT", "30"))
    return httpx.Timeout(seconds, connect=min(seconds, 10.0))


def _retrying():
    return stamina.retry_context(on=_Transient, attempts=ATTEMPTS, wait_initial=0.2, wait_max=2.0,
                                 wait_jitter=0.2, timeout=None)


def _client() -> httpx.Client:
    return httpx.Client(timeout=timeout(), follow_redirects=True, headers={"User-Agent": USER_AGENT})


def request(method: str, url: str, *, error: type[Exception], headers: dict[str, str] | None = None,
            content: bytes | None = None, ok: tuple[int, ...] = (200,),
            max_bytes: int = MAX_METADATA_BYTES) -> httpx.Response:
    """One request, retried while transient; the body is read whole (bounded) and kept on the
    response. Raises ERROR (message naming URL) unless the final status is in OK; a 404 that OK
    does not allow reads "not found: URL"."""
    try:
        for attempt in _retrying():
            with attempt:
                return _once(method, url, error, headers, content, ok, max_bytes)
    except _Transient as e:
        raise error(str(e)) from None
    raise AssertionError("unreachable")  # pragma: no cover


def _once(method, url, error, headers, content, ok, max_bytes) -> httpx.Response:
    try:
        with _client() as c, c.stream(method, url, headers=headers or {}, content=content) as r:
            if r.status_code not in ok:
                if r.status_code in RETRY_STATUSES:
                    raise _Transient(f"{url} answered HTTP {r.status_code}")
                if r.status_code == 404:
                    raise error(f"not found: {url}")
                raise error(f"{url} answered HTTP {r.status_code}")
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise error(f"{url}: answer larger than {max_bytes} bytes")
            r._content = bytes(body)  # noqa: SLF001 - httpx's own slot for a read body
            return r
    except httpx.TransportError as e:  # refused, reset, timed out, truncated
        raise _Transient(f"{url}: {type(e).__name__}: {e}") from e
    except httpx.HTTPError as e:
        raise error(f"{url}: {type(e).__name__}: {e}") from e


def get_json(url: str, *, error: type[Exception], headers: dict[str, str] | None = None,
             max_bytes: int = MAX_METADATA_BYTES) -> dict:
    """GET a JSON object (anything else is ERROR)."""
    r = request("GET", url, error=error, headers=headers, max_bytes=max_bytes)
    try:
        doc = json.loads(r.content)
    except ValueError as e:
        raise error(f"{url} did not answer JSON: {e}") from e
    if not isinstance(doc, dict):
        raise error(f"{url} answered JSON that is not an object")
    return doc


def download(url: str, dest: Path, *, error: type[Exception], algorithm: str | None = None,
             digest: str | bytes | None = None, max_bytes: int = MAX_ARTIFACT_BYTES) -> Path:
    """Stream URL to DEST atomically (retried while transient); check the size bound and, if
    given, the published digest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        for attempt in _retrying():
            with attempt:
                return _download_once(url, dest, error, algorithm, digest, max_bytes)
    except _Transient as e:
        raise error(f"download {e}") from None
    raise AssertionError("unreachable")  # pragma: no cover


def _download_once(url, dest, error, algorithm, digest, max_bytes) -> Path:
    h = hashlib.new(algorithm) if algorithm else None
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
    try:
        size = 0
        with os.fdopen(fd, "wb") as out, _client() as c, c.stream("GET", url) as r:
            if r.status_code in RETRY_STATUSES:
                raise _Transient(f"{url} answered HTTP {r.status_code}")
            if r.status_code != 200:
                raise error(f"download {url} answered HTTP {r.status_code}")
            for chunk in r.iter_bytes(1 << 16):
                size += len(chunk)
                if size > max_bytes:
                    raise error(f"{url}: artifact larger than {max_bytes} bytes")
                out.write(chunk)
                if h:
                    h.update(chunk)
        if h and digest is not None:
            got = h.digest() if isinstance(digest, bytes) else h.hexdigest()
            if got != digest:
                raise error(f"{url}: {algorithm} digest mismatch")
        os.replace(tmp, dest)
        return dest
    except httpx.TransportError as e:
        raise _Transient(f"{url}: {type(e).__name__}: {e}") from e
    except httpx.HTTPError as e:
        raise error(f"download {url}: {type(e).__name__}: {e}") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
