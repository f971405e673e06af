"""The one way an analysis reaches the dataset: diff against the predecessor release, store the
documents (each store writes a release's set atomically), then index them. `analyze` and the
pipeline's worker (which also runs web uploads) record through `record`. eval does not: its
documents are a measurement's cache in its --work folder (re-judged in place), not releases of the
dataset."""

from __future__ import annotations

from typing import Callable, TypeVar

from pkgtrace.model import Package
from pkgtrace.results.stores.interface import ResultStore

T = TypeVar("T")
# (what, step) -> step's result; lets the worker retry a step while its service is down.
Persist = Callable[[str, Callable[[], T]], T]


def _once(what: str, step: Callable[[], T]) -> T:
    return step()


def record(package: Package, documents: dict[str, dict], *, store: ResultStore, index=None,
           persist: Persist = _once, duration_s: float | None = None, worker: str | None = None) -> int | None:
    """Put report["diff"] in place, store DOCUMENTS, and (with an INDEX) load them into it; the
    new analysis id, None without an index. The store comes first: a dataset row always points
    at documents that exist."""
    from pkgtrace.diff import attach_diff  # the diff reads the store, the store's package imports nothing of it
    attach_diff(package, documents, store=store, index=index)
    persist("results store", lambda: store.put(package, documents))
    if index is None:
        return None
    from pkgtrace.results.index import load_documents
    return persist("index", lambda: load_documents(index, package, documents, location=store.location(package),
                                                   duration_s=duration_s, worker=worker))
