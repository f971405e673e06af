"""Read queries the API and pages need, over the index tables (SQLite or PostgreSQL alike)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa

from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import Index
from pkgtrace.results.index import models as m
from pkgtrace.results.index.query import name_matches


@dataclass
class ReleaseSummary:
    ecosystem: str
    name: str
    version: str
    state: str
    source: str | None
    label: str | None
    score: float | None
    analysed_at: float | None
    published_at: float | None

    def to_dict(self) -> dict:
        return asdict(self)


def _summary_select():
    r, a = m.releases, m.analyses
    return (sa.select(r.c.ecosystem, r.c.name, r.c.version, r.c.state, r.c.source, r.c.published_at,
                      r.c.discovered_at, r.c.id, a.c.label, a.c.score, a.c.loaded_at)
            .select_from(r.outerjoin(a, a.c.release_id == r.c.id)))


def _summary(row) -> ReleaseSummary:
    return ReleaseSummary(row.ecosystem, row.name, row.version, row.state, row.source, row.label,
                          row.score, row.loaded_at, row.published_at)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search(index: Index, q: str = "", *, ecosystem: Ecosystem | None = None, label: str | None = None,
           analysed_only: bool = False, limit: int = 50, offset: int = 0) -> tuple[int, list[ReleaseSummary]]:
    """Releases whose name contains Q (case-insensitive): exact names first, then newest first.
    Q may be NAME@VERSION to pin a version. (total matches, this page)."""
    r, a = m.releases, m.analyses
    name, _, version = q.strip().rpartition("@") if "@" in q.strip()[1:] else (q.strip(), "", "")
    where = []
    if name:
        where.append(sa.func.lower(r.c.name).like(f"%{_like_escape(name.lower())}%", escape="\\"))
    if version:
        where.append(r.c.version == version)
    if ecosystem is not None:
        where.append(r.c.ecosystem == ecosystem.value)
    if label:
        where.append(a.c.label == label)
    if analysed_only:
        where.append(a.c.id.is_not(None))
    exact = sa.case((sa.func.lower(r.c.name) == name.lower(), 0), else_=1) if name else sa.literal(1)
    with index.engine.connect() as c:
        total = c.execute(sa.select(sa.func.count()).select_from(r.outerjoin(a, a.c.release_id == r.c.id))
                          .where(*where)).scalar() or 0
        rows = c.execute(_summary_select().where(*where)
                         .order_by(exact, r.c.name, sa.func.coalesce(a.c.loaded_at, r.c.discovered_at).desc(),
                                   r.c.id.desc())
                         .limit(limit).offset(offset)).all()
    return total, [_summary(x) for x in rows]


@dataclass
class ReleaseDetail:
    summary: ReleaseSummary
    attempts: int
    last_error: str | None
    analysis: dict | None  # the analyses row, when analysed


def release(index: Index, package: Package) -> ReleaseDetail | None:
    r, a = m.releases, m.analyses
    with index.engine.connect() as c:
        rows = c.execute(_summary_select().add_columns(r.c.attempts, r.c.last_error).where(
            r.c.ecosystem == package.ecosystem.value, name_matches(package.ecosystem, package.name, r.c.name),
            r.c.version == package.version)).all()
        if not rows:
            return None
        # Several spellings of one PyPI name are one release: the exact spelling first.
        row = max(rows, key=lambda x: x.name == package.name)
        an = c.execute(sa.select(a).where(a.c.release_id == row.id)).first()
    return ReleaseDetail(_summary(row), row.attempts, row.last_error, dict(an._mapping) if an else None)


def _safe_key(eco: str, version: str):
    # The diff feature's version order (PEP 440, SemVer, Gem/Composer), so pages and diffs agree.
    from pkgtrace.diff.versions import version_key
    return version_key(Ecosystem(eco), version)


def versions(index: Index, ecosystem: Ecosystem, name: str) -> list[ReleaseSummary]:
    """Every known release of a package, oldest first (by version order)."""
    r = m.releases
    with index.engine.connect() as c:
        rows = c.execute(_summary_select().where(r.c.ecosystem == ecosystem.value, r.c.name == name)).all()
    out = [_summary(x) for x in rows]
    try:
        out.sort(key=lambda s: _safe_key(s.ecosystem, s.version))
    except TypeError:  # keys of shapes that do not compare: fall back to text order
        out.sort(key=lambda s: s.version)
    return out


def predecessor(index: Index, package: Package) -> str | None:
    """The analysed version just before PACKAGE's, in version order."""
    prev = None
    for s in versions(index, package.ecosystem, package.name):
        if s.version == package.version:
            return prev
        if s.label is not None or s.analysed_at is not None:
            prev = s.version
    return None


def recent_analyses(index: Index, limit: int = 20) -> list[ReleaseSummary]:
    a = m.analyses
    with index.engine.connect() as c:
        rows = c.execute(_summary_select().where(a.c.id.is_not(None)).order_by(a.c.loaded_at.desc(), a.c.id.desc())
                         .limit(limit)).all()
    return [_summary(x) for x in rows]
