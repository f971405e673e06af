"""The diff against the predecessor release, computed when a release is analysed and kept in its
report (report["diff"]), so that an auditor sees at once when a release starts behaving
differently. Called by the pipeline's worker before it stores the documents."""

from __future__ import annotations

import logging

from pkgtrace.diff.compare import diff_documents
from pkgtrace.diff.versions import predecessor
from pkgtrace.model import Package
from pkgtrace.results.stores.interface import ResultStore, stored_documents

log = logging.getLogger("pkgtrace.diff")


def known_versions(package: Package, *, index=None, store: ResultStore | None = None) -> list[str]:
    """Versions of the package with an analysis: from the index when there is one (cheap on any
    store), else from a local store's folder."""
    if index is not None:
        from pkgtrace.results.index.query import analysed_versions
        return analysed_versions(index, package.ecosystem, package.name)
    if store is not None and hasattr(store, "root"):
        folder = store.root / Package(package.ecosystem, package.name, "x").key.rsplit("/", 1)[0]
        if folder.is_dir():
            from pkgtrace.results.stores.interface import package_from_key
            return [package_from_key(f"{package.ecosystem.value}/{folder.name}/{v.name}").version
                    for v in folder.iterdir() if not v.name.startswith(".") and v.is_dir()]
    return []


def diff_against_predecessor(package: Package, documents: dict[str, dict], *, store: ResultStore,
                             index=None) -> dict | None:
    """The diff from the previous analysed version to this one, or None when there is none.
    The result names the predecessor under "from"."""
    prev = predecessor(package.ecosystem, package.version, known_versions(package, index=index, store=store))
    if prev is None:
        return None
    old = stored_documents(store, Package(package.ecosystem, package.name, prev))
    if not old:
        return None
    return diff_documents(old, documents)


def attach_diff(package: Package, documents: dict[str, dict], *, store: ResultStore, index=None) -> None:
    """Put report["diff"] in place (None when there is no predecessor). Never raises: a failed
    diff is recorded in the report, and the analysis is stored regardless."""
    report = documents.get("report")
    if not isinstance(report, dict):
        return
    try:
        report["diff"] = diff_against_predecessor(package, documents, store=store, index=index)
    except Exception as e:  # noqa: BLE001 - the diff is extra; it must never cost the analysis
        log.warning("diff of %s against its predecessor failed: %s", package, e)
        report["diff"] = {"error": f"{type(e).__name__}: {e}"}
