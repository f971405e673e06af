"""The services one web app holds: index, results store, queue (status, uploads), tokens, uploads,
and the server's own worker slots."""

from __future__ import annotations

import errno
import threading
from dataclasses import dataclass, field

from pkgtrace.model import Package
from pkgtrace.results.index import Index, open_index
from pkgtrace.results.stores import ResultStore, StoreError, open_store
from pkgtrace.results.stores.interface import KINDS
from pkgtrace.web.auth import TokenSet
from pkgtrace.web.settings import WebSettings
from pkgtrace.web.uploads import Uploads


@dataclass
class Services:
    settings: WebSettings
    index: Index
    store: ResultStore
    tokens: TokenSet
    uploads: Uploads = field(init=False)
    _workers: object | None = None  # the server's own worker slots (settings.upload_workers)
    _upload_queue: object | None = None
    _queue: object | None = None
    _queue_error: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: WebSettings) -> "Services":
        index = open_index(settings.index_url)
        store = open_store(settings.results_url)
        return cls(settings, index, store, TokenSet(settings.tokens))

    def __post_init__(self) -> None:
        self.uploads = Uploads(self.settings.uploads_dir, self.index, self.upload_queue,
                               mode=self.settings.upload_mode)

    def upload_queue(self):
        """The queue uploads are jobs on: settings.upload_queue_url, by default a SQLite queue of
        this server's own (the pipeline's queue would hand them to its workers, and this server's
        slots would take the pipeline's jobs)."""
        with self._lock:
            if self._upload_queue is None:
                from pkgtrace.pipeline.queues import open_queue
                url = self.settings.upload_queue_url
                if url is None:
                    self.settings.uploads_dir.mkdir(parents=True, exist_ok=True)
                    url = f"sqlite:///{self.settings.uploads_dir / 'queue.db'}"
                self._upload_queue = open_queue(url)
            return self._upload_queue

    def start_workers(self) -> None:
        """This server's worker slots on the upload queue (none when upload_workers is 0)."""
        if self._workers is not None or self.settings.upload_workers <= 0:
            return
        queue = self.upload_queue()
        from pkgtrace.pipeline.worker import WorkerPool, WorkerSettings
        self._workers = WorkerPool(queue, self.store, self.index, WorkerSettings(
            mode=self.settings.upload_mode, concurrency=self.settings.upload_workers,
            job_timeout_s=self.settings.upload_timeout_s, analyzer=self.settings.analyzer, name="web"))
        self._workers.start()

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
        for kind in KINDS:
            doc = self.document(package, kind)
            if doc is not None:
                out[kind] = doc
        return out

    def close(self) -> None:
        if self._workers is not None:
            self._workers.stop(0)
            self._workers.join(10)
        for q in (self._queue, self._upload_queue):
            if q is not None:
                try:
                    q.close()
                except Exception:  # noqa: BLE001
                    pass
        self.index.close()


__all__ = ["Services", "StoreError"]
