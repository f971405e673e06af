"""Result stores, chosen by URL: a local folder (default) or an S3-compatible object store."""

from __future__ import annotations

from pkgtrace.results.stores.interface import ResultStore, StoreError


def open_store(url: str) -> ResultStore:
    if url.startswith("file://") or "://" not in url:
        from pkgtrace.results.stores.local import LocalStore
        return LocalStore(url.removeprefix("file://"))
    if url.startswith("s3://"):
        from pkgtrace.results.stores.s3 import S3Store
        return S3Store(url)
    raise ValueError(f"unsupported results store URL {url!r}; expected a folder, file://… or s3://BUCKET/PREFIX")


__all__ = ["ResultStore", "StoreError", "open_store"]
