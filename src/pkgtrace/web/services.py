"""The services one web app holds: index, results store, queue (for status), tokens, uploads."""

from __future__ import annotations

import errno
import threading
from dataclasses import dataclass, field

from pkgtrace.model import Package
from pkgtrace.results.index import Index, open_index
from pkgtrace.results.stores import ResultStore, StoreError, open_store
from pkgtrace.web.auth import TokenSet
from pkgtrace.web.settings import WebSettings
from pkgtrace.web.uploads import UploadRunner

DOCUMENT_KINDS = ("dynamic", "static", "report")


@dataclass
class Services:
    settings: WebSettings
    index: Index
    store: ResultStore
    tokens: TokenSet
    uploads: UploadRunner
    _queue: object | None = None
    _queue_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: WebSettings) -> "Services":
        index = open_index(settings.index_url)
        store = open_store(settings.results_url)
        uploads = UploadRunner(settings.uploads_dir, index, store, mode=settings.upload_mode,
                               workers=settings.upload_workers, timeout_s=settings.upload_timeout_s,
                               analyzer=settings.analyzer)
        return cls(settings, index, store, TokenSet(settings.tokens), uploads)

    def queue(self):
        """The pipeline's queue, opened on first use; None (with queue_error) when it cannot be."""
        with self._lock:
            if self._queue is None and self.settings.queue_url:
                try:
                    from pkgtrace.pipeline.queues import open_queue
                    self._queue = open_queue(self.settings.queue_url)
                    self._queue_error = None
                except Exception as e:  # noqa: BLE001 - status shows a down queue
                    self._queue_error = f"{type(e).__name__}: {e}"
            return self._queue

    def document(self, package: Package, kind: str) -> dict | None:
        """One stored document, None when there is none; StoreError when the store fails."""
        try:
            return self.store.get(package, kind)
        except StoreError:
            raise
        except OSError as e:
            # A name no file system can hold (too long, odd bytes) is simply not stored.
            if e.errno in (errno.ENAMETOOLONG, errno.ENOTDIR, errno.EINVAL, errno.EILSEQ):
                return None
            raise StoreError(f"{type(e).__name__}: {e}") from e
        except ValueError as e:  # a document that is not JSON any more
            raise StoreError(f"stored {kind} document of {package} is unreadable: {e}") from e

    @property
    def queue_error(self) -> str | None:
        return self._queue_error

    def documents(self, package: Package) -> dict[str, dict]:
        """Every stored document of the release (kind → document); raises StoreError when unreachable."""
        out = {}
        for kind in DOCUMENT_KINDS:
            doc = self.document(package, kind)
            if doc is not None:
                out[kind] = doc
        return out

    def close(self) -> None:
        self.uploads.stop()
        if self._queue is not None:
            try:
                self._queue.close()
            except Exception:  # noqa: BLE001
                pass
        self.index.close()


__all__ = ["Services", "StoreError", "DOCUMENT_KINDS"]
