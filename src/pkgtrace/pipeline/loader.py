"""Loading results into the dataset.

Workers load each release right after storing it (worker.py), so the index follows the store as
it goes. `reindex` rebuilds the dataset from the results store alone: after moving to a new
database (SQLite → PostgreSQL), or when an index was lost. Loading is idempotent."""

from __future__ import annotations

from typing import Callable

from pkgtrace.model import Ecosystem
from pkgtrace.results.index import DocumentError, Index, load_documents
from pkgtrace.results.stores import ResultStore
from pkgtrace.results.stores.interface import stored_documents


def reindex(store: ResultStore, index: Index, *, ecosystem: Ecosystem | None = None,
            progress: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    loaded = failed = 0
    for pkg in store.list(ecosystem):
        docs = stored_documents(store, pkg)
        if not docs:
            continue
        try:
            load_documents(index, pkg, docs, location=store.location(pkg))
            loaded += 1
        except DocumentError as e:
            failed += 1
            progress(f"{pkg}: {e}")
    return {"loaded": loaded, "failed": failed}
