"""verify, start to end: lockfiles → dependencies → one lookup per release → rows for the formats."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from pkgtrace.api.verify import ReleaseRecord, VerifyRowDoc
from pkgtrace.lockfiles import Lockfile, LockfileError, read_lockfile
from pkgtrace.model import Package
from pkgtrace.verify.interface import Dataset
from pkgtrace.verify.missing import Progress, Waited, analyze_missing
from pkgtrace.verdict.suppressions import Suppressions


LOOKUP_THREADS = 8


@dataclass
class VerifyResult:
    rows: list[VerifyRowDoc] = field(default_factory=list)
    lockfiles: list[Lockfile] = field(default_factory=list)
    errors: list[LockfileError] = field(default_factory=list)
    waited: list[Waited] = field(default_factory=list)  # what --analyze-missing asked for, and how it ended


def open_dataset(where: str, *, token: str | None = None) -> Dataset:
    """An http(s):// URL is a pkgtrace server (TOKEN lets verify submit to it); anything else an
    index URL (sqlite:///…, postgresql://…, or a path to an SQLite file)."""
    if where.startswith(("http://", "https://")):
        from pkgtrace.verify.remote import RemoteDataset
        return RemoteDataset(where, token=token)
    from pkgtrace.verify.local import LocalDataset
    return LocalDataset.open(where)


def read_all(paths: Sequence[str | Path], lockfile_type: str | None = None) -> tuple[list[Lockfile], list[LockfileError]]:
    locks, errors = [], []
    for p in paths:
        try:
            locks.append(read_lockfile(p, lockfile_type))
        except LockfileError as e:
            errors.append(e)
    return locks, errors


def verify_lockfiles(paths: Sequence[str | Path], dataset: Dataset, *, lockfile_type: str | None = None,
                     suppressions: Suppressions | None = None, analyze_missing_timeout: float | None = None,
                     progress: Progress = lambda *_a: None) -> VerifyResult:
    """Every dependency of every lockfile with the dataset's record of its release. With
    ANALYZE_MISSING_TIMEOUT, releases the dataset lacks are submitted to its pipeline and waited
    for, up to that many seconds."""
    result = VerifyResult()
    result.lockfiles, result.errors = read_all(paths, lockfile_type)
    wanted: dict[Package, None] = {}
    for lock in result.lockfiles:
        for d in lock.dependencies:
            if d.package is not None:
                wanted[d.package] = None
    # Lookups are independent; a remote server answers several at once (the index does too).
    with ThreadPoolExecutor(max_workers=LOOKUP_THREADS) as pool:
        records: dict[Package, ReleaseRecord | None] = dict(zip(wanted, pool.map(dataset.lookup, wanted)))

    missing = [p for p, r in records.items() if r is None]
    if missing and analyze_missing_timeout is not None:
        result.waited = analyze_missing(dataset, missing, timeout=analyze_missing_timeout, progress=progress)
        for w in result.waited:
            if w.state == "done":
                records[w.package] = dataset.lookup(w.package)

    sup = suppressions or Suppressions()
    for lock in result.lockfiles:
        for d in lock.dependencies:
            rec = records.get(d.package) if d.package is not None else None
            # Only a flagged release needs a reason to pass; a benign one passes anyway.
            reason = (sup.reason_for(d.package, rec) if d.package is not None and rec is not None
                      and rec.label in ("suspicious", "malicious") else None)
            result.rows.append(VerifyRowDoc.of(d, rec, suppressed=reason))
    return result
