"""A results store holds each release's documents under ECOSYSTEM/NAME/VERSION/<kind>.json."""

from __future__ import annotations

import json
from typing import Iterable, Iterator, Protocol

from pkgtrace.model import Ecosystem, Package

# The document kinds a release can have.
KINDS = ("dynamic", "static", "report")
# OSSF's documents: its BigQuery loader reads newline-delimited JSON, one record per line.
OSSF_KINDS = ("dynamic", "static")


def serialise(kind: str, doc: dict) -> bytes:
    """A document as stored: OSSF's as one compact line (newline-terminated NDJSON, loadable as
    it is); pkgtrace's report indented, for a person reading it."""
    if kind in OSSF_KINDS:
        return json.dumps(doc, separators=(",", ":"), default=str).encode() + b"\n"
    return json.dumps(doc, indent=1, default=str).encode()


class StoreError(Exception):
    """The store could not be read or written (unreachable, refused, full); nothing was half-written."""


class ResultStore(Protocol):
    def put(self, package: Package, documents: dict[str, dict]) -> None:
        """Replace the release's documents; readers see either all old or all new ones."""

    def get(self, package: Package, kind: str) -> dict | None:
        """One document, or None when the release or the kind is not stored."""

    def location(self, package: Package) -> str:
        """Where the documents live, for a person to read."""

    def list(self, ecosystem: Ecosystem | None = None) -> Iterator[Package]:
        """Every release that has documents (of one ecosystem, if given)."""

    def delete(self, package: Package) -> None:
        """Remove the release's documents; nothing happens when there are none."""


def stored_documents(store: ResultStore, package: Package, kinds: Iterable[str] = KINDS) -> dict[str, dict]:
    """The release's stored documents, kind -> document (the kinds it has)."""
    return {k: d for k in kinds if (d := store.get(package, k)) is not None}


def package_from_key(key: str) -> Package:
    """The inverse of Package.key: 'npm/@scope%2Fname/1.0.0' -> Package."""
    parts = key.strip("/").split("/")
    if len(parts) != 3:
        raise ValueError(f"not an ECOSYSTEM/NAME/VERSION key: {key!r}")
    eco, name, version = (_unsafe(p) for p in parts)
    return Package(Ecosystem(eco), name, version)


def _unsafe(s: str) -> str:
    if s == "%00":
        return ""
    return s.replace("%2E", ".").replace("%5C", "\\").replace("%2F", "/")
