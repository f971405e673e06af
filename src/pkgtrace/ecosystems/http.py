"""Bounded, verified HTTP fetching shared by the registry modules."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import httpx

from pkgtrace.ecosystems.interface import RegistryError

MAX_ARTIFACT_BYTES = 512 * 1024 * 1024
MAX_METADATA_BYTES = 64 * 1024 * 1024
TIMEOUT = httpx.Timeout(30.0, connect=10.0)
USER_AGENT = "pkgtrace/0.1 (+malicious package analysis)"


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=True,
                        headers={"User-Agent": USER_AGENT})


def get_json(url: str, headers: dict[str, str] | None = None) -> dict:
    """GET a JSON document; every failure becomes a RegistryError that names the URL."""
    try:
        with client() as c, c.stream("GET", url, headers=headers or {}) as r:
            if r.status_code == 404:
                raise RegistryError(f"not found: {url}")
            if r.status_code != 200:
                raise RegistryError(f"{url} answered HTTP {r.status_code}")
            body = bytearray()
            for chunk in r.iter_bytes():
                body += chunk
                if len(body) > MAX_METADATA_BYTES:
                    raise RegistryError(f"{url}: metadata larger than {MAX_METADATA_BYTES} bytes")
    except httpx.HTTPError as e:
        raise RegistryError(f"{url}: {type(e).__name__}: {e}") from e
    try:
        import json
        doc = json.loads(bytes(body))
    except ValueError as e:
        raise RegistryError(f"{url} did not answer JSON: {e}") from e
    if not isinstance(doc, dict):
        raise RegistryError(f"{url} answered JSON that is not an object")
    return doc


def download(url: str, dest: Path, *, algorithm: str | None = None,
             digest: str | bytes | None = None) -> Path:
    """Stream URL to DEST atomically; check size bound and (if given) the published digest."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    h = hashlib.new(algorithm) if algorithm else None
    fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=".part-")
    try:
        size = 0
        with os.fdopen(fd, "wb") as out, client() as c, c.stream("GET", url) as r:
            if r.status_code != 200:
                raise RegistryError(f"download {url} answered HTTP {r.status_code}")
            for chunk in r.iter_bytes(1 << 16):
                size += len(chunk)
                if size > MAX_ARTIFACT_BYTES:
                    raise RegistryError(f"{url}: artifact larger than {MAX_ARTIFACT_BYTES} bytes")
                out.write(chunk)
                if h:
                    h.update(chunk)
        if h and digest is not None:
            got = h.digest() if isinstance(digest, bytes) else h.hexdigest()
            if got != digest:
                raise RegistryError(f"{url}: {algorithm} digest mismatch")
        os.replace(tmp, dest)
        return dest
    except httpx.HTTPError as e:
        raise RegistryError(f"download {url}: {type(e).__name__}: {e}") from e
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
