"""The dataset index (SQLAlchemy: SQLite by default, PostgreSQL by URL) and its document loader."""

from pkgtrace.results.index.db import Index, IndexError_, redact
from pkgtrace.results.documents import DocumentError
from pkgtrace.results.index.load import load_documents


def open_index(url: str) -> Index:
    return Index(url)


__all__ = ["Index", "IndexError_", "DocumentError", "load_documents", "open_index", "redact"]
