"""The host's shared cache of registry downloads: content-addressed, size-bounded, safe to share.

Only immutable downloads (wheels, sdists, npm tarballs, gems, crates) whose upstream answered 200
are kept. Blobs live under their SHA-256; a small index maps the URL to the blob and the headers
to replay. Writes go to a temporary file and are renamed into place, so concurrent runs and a
crash mid-download never leave a half-written entry. Past the size bound the least recently used
blobs go first (mtime is touched on every hit).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from pathlib import Path

DEFAULT_MAX_BYTES = 4 << 30
MAX_ENTRY_BYTES = 512 << 20  # bigger downloads are passed through uncached
KEPT_HEADERS = ("content-type", "etag", "last-modified")


def default_dir() -> Path:
    base = os.environ.get("PKGTRACE_DOWNLOAD_CACHE")
    if base:
        return Path(base)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pkgtrace" / "downloads"


def default_max_bytes() -> int:
    mb = os.environ.get("PKGTRACE_DOWNLOAD_CACHE_MB")
    return int(mb) << 20 if mb and mb.isdigit() else DEFAULT_MAX_BYTES


class DownloadCache:
    def __init__(self, root: Path | None = None, max_bytes: int | None = None):
        self.root = root or default_dir()
        self.max_bytes = default_max_bytes() if max_bytes is None else max_bytes
        (self.root / "blobs").mkdir(parents=True, exist_ok=True)
        (self.root / "index").mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def _index_path(self, url: str) -> Path:
        return self.root / "index" / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def _blob_path(self, digest: str) -> Path:
        return self.root / "blobs" / digest[:2] / digest

    def get(self, url: str) -> tuple[dict, Path] | None:
        """(entry, blob path) for URL, or None; an entry whose blob is gone or altered is dropped."""
        try:
            entry = json.loads(self._index_path(url).read_text())
            blob = self._blob_path(str(entry["sha256"]))
            if blob.stat().st_size != entry["size"]:
                raise ValueError("size changed")
            os.utime(blob)
            return entry, blob
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def writer(self, url: str, headers: list[tuple[str, str]]) -> "_Writer":
        return _Writer(self, url, [(k, v) for k, v in headers if k.lower() in KEPT_HEADERS])

    def _commit(self, url: str, tmp: Path, digest: str, size: int, headers: list[tuple[str, str]]) -> None:
        blob = self._blob_path(digest)
        blob.parent.mkdir(exist_ok=True)
        os.replace(tmp, blob)
        entry = {"url": url, "sha256": digest, "size": size, "headers": headers}
        fd, itmp = tempfile.mkstemp(dir=self.root / "index", suffix=".tmp")
        with os.fdopen(fd, "w") as f:
            json.dump(entry, f)
        os.replace(itmp, self._index_path(url))
        self.evict()

    def size(self) -> int:
        return sum(p.stat().st_size for p in (self.root / "blobs").glob("*/*") if p.is_file())

    def evict(self) -> None:
        with self._lock:
            blobs = []
            for p in (self.root / "blobs").glob("*/*"):
                try:
                    st = p.stat()
                except FileNotFoundError:
                    continue
                blobs.append((st.st_mtime, st.st_size, p))
            total = sum(s for _, s, _ in blobs)
            for _, s, p in sorted(blobs):
                if total <= self.max_bytes:
                    break
                p.unlink(missing_ok=True)  # the index entry notices on its next get()
                total -= s


class _Writer:
    """Collects a download as it streams; kept only if it completed within the bound."""

    def __init__(self, cache: DownloadCache, url: str, headers: list[tuple[str, str]]):
        self.cache, self.url, self.headers = cache, url, headers
        fd, tmp = tempfile.mkstemp(dir=cache.root / "blobs", suffix=".part")
        self.tmp = Path(tmp)
        self._f = os.fdopen(fd, "wb")
        self._h = hashlib.sha256()
        self.size = 0
        self.ok = True

    def write(self, data: bytes) -> None:
        if not self.ok:
            return
        self.size += len(data)
        if self.size > MAX_ENTRY_BYTES:
            self.ok = False
            return
        self._h.update(data)
        self._f.write(data)

    def finish(self, complete: bool) -> None:
        self._f.close()
        if complete and self.ok and self.size <= self.cache.max_bytes:
            self.cache._commit(self.url, self.tmp, self._h.hexdigest(), self.size, self.headers)
        else:
            self.tmp.unlink(missing_ok=True)
