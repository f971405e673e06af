"""Known-malicious intelligence: OSV records of malicious packages (MAL-…) into the dataset, and
which of them cover a release.

Reads the layouts they are published in: a folder tree of OSV JSON files (a checkout of
ossf/malicious-packages, or what `pkgtrace export osv` writes), osv.dev's per-ecosystem zip
(`https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip`), a single record, or a JSON
list of records (`pkgtrace verify --format osv`). Only malicious-package records are kept (id
MAL-…); others (GHSA, PYSEC: vulnerabilities, not malware) are counted and skipped. A record
without an id (an export made for submission) takes its file name. Re-importing replaces.
"""

from __future__ import annotations

import json
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from packaging.version import InvalidVersion, Version

from pkgtrace.lockfiles.interface import normalize_name
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import models as m
from pkgtrace.results.index.db import Index

# OSV's ecosystem names (osv-schema) -> ours.
FROM_OSV = {"PyPI": Ecosystem.PYPI, "npm": Ecosystem.NPM, "RubyGems": Ecosystem.RUBYGEMS,
            "Packagist": Ecosystem.PACKAGIST, "crates.io": Ecosystem.CRATES}
MAX_RECORD_BYTES = 8 << 20    # one OSV record; a larger "record" is not one
MAX_ZIP_ENTRIES = 2_000_000   # osv.dev's npm zip holds a few hundred thousand


class OsvImportError(ValueError):
    """PATH cannot be read as OSV records at all."""


@dataclass
class ImportResult:
    records: int = 0                 # malicious-package records imported
    packages: int = 0                # (record, package) rows written
    skipped: int = 0                 # records that are not about malicious packages
    other_ecosystems: int = 0        # affected packages in ecosystems pkgtrace does not cover
    errors: list[str] = field(default_factory=list)  # files that are not OSV JSON


@dataclass(frozen=True)
class OsvMatch:
    record_id: str
    summary: str
    modified: str | None

    @property
    def url(self) -> str:
        return f"https://osv.dev/vulnerability/{self.record_id}"


def import_osv(index: Index, path: Path) -> ImportResult:
    """Import every OSV record under PATH (folder, zip, .json file) into INDEX."""
    path = Path(path)
    if not path.exists():
        raise OsvImportError(f"{path}: no such file or folder")
    result = ImportResult()
    rows: list[dict] = []
    now = time.time()
    for source, data in _documents(path, result):
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            result.errors.append(f"{source}: not JSON")
            continue
        for rec in doc if isinstance(doc, list) else [doc]:
            if not isinstance(rec, dict) or not isinstance(rec.get("affected"), list):
                result.errors.append(f"{source}: not an OSV record (no affected list)")
                continue
            rid = rec.get("id") if isinstance(rec.get("id"), str) else Path(source).stem
            if not rid.startswith("MAL-"):
                result.skipped += 1
                continue
            if rec.get("withdrawn"):
                continue
            added = _rows(rec, rid, source, now, result)
            if added:
                result.records += 1
                rows.extend(added)
    with index.engine.begin() as c:
        keys = {(r["record_id"], r["ecosystem"], r["name"]) for r in rows}
        for rid, eco, name in keys:  # replace what an earlier import said
            c.execute(sa.delete(m.osv_records).where(m.osv_records.c.record_id == rid,
                                                     m.osv_records.c.ecosystem == eco,
                                                     m.osv_records.c.name == name))
        unique = {(r["record_id"], r["ecosystem"], r["name"]): r for r in rows}
        if unique:
            c.execute(sa.insert(m.osv_records), list(unique.values()))
    result.packages = len({(r["record_id"], r["ecosystem"], r["name"]) for r in rows})
    return result


def _rows(rec: dict, rid: str, source: str, now: float, result: ImportResult) -> list[dict]:
    out = []
    for aff in rec["affected"]:
        pkg = aff.get("package") if isinstance(aff, dict) else None
        if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str):
            continue
        eco = FROM_OSV.get(str(pkg.get("ecosystem", "")).split(":")[0])
        if eco is None:
            result.other_ecosystems += 1
            continue
        versions = [str(v) for v in aff.get("versions") or [] if isinstance(v, (str, int, float))]
        ranges = [r for r in aff.get("ranges") or [] if isinstance(r, dict)]
        out.append({"record_id": rid, "ecosystem": eco.value, "name": normalize_name(eco, pkg["name"]),
                    "versions": json.dumps(versions), "ranges": json.dumps(ranges),
                    "summary": str(rec.get("summary") or rec.get("details") or "")[:500],
                    "modified": str(rec.get("modified") or "") or None, "source": source, "imported_at": now})
    return out


def _documents(path: Path, result: ImportResult) -> Iterator[tuple[str, bytes]]:
    """(where, bytes) of every JSON document under PATH."""
    if path.is_dir():
        for f in sorted(path.rglob("*.json")):
            if f.is_file() and not any(p.startswith(".") for p in f.relative_to(path).parts):
                if f.stat().st_size > MAX_RECORD_BYTES:
                    result.errors.append(f"{f}: too large for an OSV record")
                    continue
                yield str(f), f.read_bytes()
        return
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as z:
                infos = z.infolist()
                if len(infos) > MAX_ZIP_ENTRIES:
                    raise OsvImportError(f"{path}: {len(infos)} entries is more than an OSV export holds")
                for info in infos:
                    if info.is_dir() or not info.filename.endswith(".json"):
                        continue
                    if info.file_size > MAX_RECORD_BYTES:
                        result.errors.append(f"{path}!{info.filename}: too large for an OSV record")
                        continue
                    with z.open(info) as fh:  # read no more than the limit, whatever the header says
                        data = fh.read(MAX_RECORD_BYTES + 1)
                    if len(data) > MAX_RECORD_BYTES:
                        result.errors.append(f"{path}!{info.filename}: too large for an OSV record")
                        continue
                    yield f"{path}!{info.filename}", data
        except (zipfile.BadZipFile, OSError) as e:
            raise OsvImportError(f"{path}: unreadable zip: {e}") from None
        return
    if path.stat().st_size > 64 * MAX_RECORD_BYTES:
        raise OsvImportError(f"{path}: too large for a JSON file of OSV records")
    yield str(path), path.read_bytes()


def osv_matches(index: Index, package: Package) -> list[OsvMatch]:
    """The malicious-package records that cover PACKAGE's version."""
    name = normalize_name(package.ecosystem, package.name)
    t = m.osv_records
    with index.engine.connect() as c:
        rows = c.execute(sa.select(t).where(t.c.ecosystem == package.ecosystem.value, t.c.name == name)).all()
    out = []
    for r in rows:
        if _covers(package, json.loads(r.versions or "[]"), json.loads(r.ranges or "[]")):
            out.append(OsvMatch(r.record_id, r.summary or "", r.modified))
    return sorted(out, key=lambda x: x.record_id)


def _covers(package: Package, versions: list[str], ranges: list[dict]) -> bool:
    """Whether the record's versions or ranges include PACKAGE's version. A range is read as OSV
    defines it: introduced … fixed (or last_affected); `introduced: 0` with no end is every
    version, which is how malicious-package records usually say 'all of it'."""
    if package.version in versions:
        return True
    for rng in ranges:
        events = [e for e in rng.get("events") or [] if isinstance(e, dict)]
        start: str | None = None
        for e in events:
            if "introduced" in e:
                start = str(e["introduced"])
            elif start is not None and ("fixed" in e or "last_affected" in e):
                end = str(e.get("fixed", e.get("last_affected")))
                if _in_range(package.version, start, end, inclusive="last_affected" in e,
                             kind=str(rng.get("type", ""))):
                    return True
                start = None
        if start is not None and _in_range(package.version, start, None, False, str(rng.get("type", ""))):
            return True
    return False


def _in_range(version: str, start: str, end: str | None, inclusive: bool, kind: str) -> bool:
    if kind == "GIT":
        return False  # commit ranges say nothing about a registry version
    if start == "0" and end is None:
        return True
    try:
        v, lo = Version(version), (Version(start) if start != "0" else None)
        hi = Version(end) if end is not None else None
    except InvalidVersion:
        return False  # not comparable here: only an exact `versions` entry matches
    if lo is not None and v < lo:
        return False
    return hi is None or (v <= hi if inclusive else v < hi)
