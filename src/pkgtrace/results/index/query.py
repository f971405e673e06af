"""Read-side questions `verify`, `diff` and the OSV export ask of the dataset index.

Kept apart from db.py (the pipeline's writes) so that the readers grow without touching it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterator

import sqlalchemy as sa
from packaging.utils import canonicalize_name

from pkgtrace.api.base import SEVERITIES
from pkgtrace.api.findings import RecordFinding
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import models as m
from pkgtrace.results.index.db import Index


@dataclass(frozen=True)
class StoredVerdict:
    """One analysed release as the dataset holds it."""

    package: Package               # as stored (the registry's spelling of the name)
    label: str | None              # benign | suspicious | malicious; None before the verdict ran
    score: float | None
    findings: list[RecordFinding] = field(default_factory=list)
    created: float | None = None   # unix seconds the analysis ran
    location: str | None = None    # where the documents are stored


def name_matches(ecosystem: Ecosystem, name: str, col=None):
    """A WHERE clause on COL (analyses.name by default) matching NAME the way the registry does
    (PEP 503 for PyPI, case for Packagist)."""
    col = m.analyses.c.name if col is None else col
    if ecosystem is Ecosystem.PYPI:
        # The feeds store PyPI's display spelling ("Jaraco.Classes"); lockfiles carry the canonical one.
        folded = sa.func.lower(sa.func.replace(sa.func.replace(col, "_", "-"), ".", "-"))
        return sa.or_(col == name, folded == canonicalize_name(name))
    if ecosystem is Ecosystem.PACKAGIST:
        # (SQLite's lower() folds ASCII only: the exact spelling must match on its own.)
        return sa.or_(col == name, sa.func.lower(col) == name.lower())
    return col == name


def release_verdict(index: Index, package: Package) -> StoredVerdict | None:
    """The stored analysis of PACKAGE and its findings, or None when the dataset has none."""
    a = m.analyses
    with index.engine.connect() as c:
        rows = c.execute(sa.select(a).where(a.c.ecosystem == package.ecosystem.value,
                                            name_matches(package.ecosystem, package.name),
                                            a.c.version == package.version)).all()
        if not rows:
            return None
        # Several spellings of one PyPI name are one release: the newest analysis speaks for it.
        row = max(rows, key=lambda r: (r.name == package.name, r.loaded_at or 0))
        findings = analysis_findings(c, row.id)
    return StoredVerdict(Package(package.ecosystem, row.name, row.version), row.label, row.score,
                         findings, row.created, row.location)


@dataclass(frozen=True)
class ReleaseState:
    state: str                 # new, queuing, queued, running, done, failed, dead, skipped
    last_error: str | None = None


def release_state(index: Index, package: Package) -> ReleaseState | None:
    """Where the pipeline is with the release (name folded as the registry folds it)."""
    r = m.releases
    with index.engine.connect() as c:
        states = c.execute(sa.select(r.c.state, r.c.last_error).where(
            r.c.ecosystem == package.ecosystem.value, name_matches(package.ecosystem, package.name, r.c.name),
            r.c.version == package.version)).all()
    if not states:
        return None
    return ReleaseState(states[0].state, states[0].last_error)


def analysed_versions(index: Index, ecosystem: Ecosystem, name: str) -> list[str]:
    """Every version of one package the dataset holds an analysis of (unordered)."""
    a = m.analyses
    with index.engine.connect() as c:
        return [v for (v,) in c.execute(sa.select(a.c.version).where(
            a.c.ecosystem == ecosystem.value, name_matches(ecosystem, name)).distinct())]


def releases_labelled(index: Index, label: str, ecosystem: Ecosystem | None = None) -> Iterator[StoredVerdict]:
    """Every analysed release with LABEL (e.g. malicious), with its findings, in a stable order."""
    a = m.analyses
    where = [a.c.label == label]
    if ecosystem is not None:
        where.append(a.c.ecosystem == ecosystem.value)
    with index.engine.connect() as c:
        rows = c.execute(sa.select(a).where(*where).order_by(a.c.ecosystem, a.c.name, a.c.version)).all()
        by_id: dict[int, list[RecordFinding]] = {r.id: [] for r in rows}
        if rows:
            for f in c.execute(sa.select(m.findings).where(m.findings.c.analysis_id.in_(list(by_id)))
                               .order_by(m.findings.c.id)):
                by_id[f.analysis_id].append(_finding(f))
    for r in rows:
        yield StoredVerdict(Package(Ecosystem(r.ecosystem), r.name, r.version), r.label, r.score,
                            by_id[r.id], r.created, r.location)


def analysis_findings(conn, analysis_id: int) -> list[RecordFinding]:
    """The findings of one analysis, in the order the verdict listed them."""
    return [_finding(f) for f in conn.execute(
        sa.select(m.findings).where(m.findings.c.analysis_id == analysis_id).order_by(m.findings.c.id))]


def _finding(row) -> RecordFinding:
    try:
        evidence = json.loads(row.evidence) if row.evidence else {}
    except ValueError:
        evidence = {"raw": row.evidence}
    # lenient on what an index may hold (an odd severity): one odd row must not hide the release
    return RecordFinding(rule=row.rule, severity=row.severity if row.severity in SEVERITIES else "medium",
                         message=row.message or "", hash=row.hash,
                         evidence=evidence if isinstance(evidence, dict) else {"value": evidence})
