"""The index: releases, feed cursors and the dataset, in SQLite (default) or PostgreSQL via SQLAlchemy.

Chosen by URL: `sqlite:///path/index.db`, `postgresql://user@host:port/db`."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine

from pkgtrace.extras import require
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import models as m

log = logging.getLogger("pkgtrace.index")

# How long a release may sit in 'queuing' (claimed by a scheduler that then died) before retry.
QUEUING_STALE_S = 60


class IndexError_(Exception):
    """The index could not be opened or written."""


def normalize_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        # psycopg 3 is the driver we ship; SQLAlchemy's bare postgresql:// means psycopg2.
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if "://" not in url:  # a bare path means an SQLite file
        return f"sqlite:///{Path(url).resolve()}"
    return url


def make_engine(url: str) -> Engine:
    url = normalize_url(url)
    if url.startswith("postgresql+psycopg"):
        require("postgres")  # the driver is an extra; say which one when it is missing
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record):  # WAL lets readers and one writer work at once
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def add_new_columns(engine: Engine) -> list[str]:
    """Upgrade, in place, an index an earlier pkgtrace made: create_all leaves existing tables
    alone, so each column models.py has and the table lacks is added (nullable: the rows already
    there keep all they hold). The columns added, as table.column."""
    added, inspector = [], sa.inspect(engine)
    for table in m.metadata.sorted_tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        for col in (c for c in table.columns if c.name not in have):
            assert col.nullable, f"{table.name}.{col.name}: a column added later must be nullable"
            spec = sa.schema.CreateColumn(col).compile(dialect=engine.dialect)
            try:
                with engine.begin() as c:
                    c.execute(sa.text(f"ALTER TABLE {engine.dialect.identifier_preparer.quote(table.name)} "
                                      f"ADD COLUMN {spec}"))
            except sa.exc.DBAPIError:
                # another process opening the index at the same moment may have added it first
                if col.name not in {c["name"] for c in sa.inspect(engine).get_columns(table.name)}:
                    raise
                continue
            added.append(f"{table.name}.{col.name}")
    return added


@dataclass
class ReleaseRow:
    id: int
    package: Package
    state: str
    priority: int
    force: bool
    source: str | None


def _insert_ignore(conn, table: sa.Table, rows: list[dict], keys: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING on either dialect; the number of rows inserted."""
    if not rows:
        return 0
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    pk = list(table.primary_key.columns)[0]
    # RETURNING tells inserted rows apart on every driver (rowcount after DO NOTHING does not).
    stmt = insert(table).on_conflict_do_nothing(index_elements=keys).returning(pk)
    return sum(len(conn.execute(stmt, row).all()) for row in rows)


class Index:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        try:
            m.metadata.create_all(self.engine)
            added = add_new_columns(self.engine)
        except sa.exc.OperationalError as e:
            raise IndexError_(f"cannot open the index {redact(url)}: {e.orig}") from e
        if added:
            log.warning("upgraded the index %s: added %s; `pkgtrace export reindex` fills them for the "
                        "releases loaded before", redact(url), ", ".join(added))

    def close(self) -> None:
        self.engine.dispose()

    # ---- feeds -------------------------------------------------------------------------------
    def feed_cursor(self, feed: str) -> str | None:
        with self.engine.connect() as c:
            return c.execute(sa.select(m.feed_state.c.cursor).where(m.feed_state.c.feed == feed)).scalar()

    def _ensure_feed(self, conn, feed: str, ecosystem: str) -> None:
        _insert_ignore(conn, m.feed_state, [{"feed": feed, "ecosystem": ecosystem, "errors": 0,
                                             "releases_total": 0}], ["feed"])

    def set_feed_cursor(self, feed: str, ecosystem: str, cursor: str) -> None:
        with self.engine.begin() as c:
            self._ensure_feed(c, feed, ecosystem)
            c.execute(m.feed_state.update().where(m.feed_state.c.feed == feed)
                      .values(cursor=cursor, updated_at=time.time()))

    def record_feed_batch(self, feed: str, ecosystem: str, releases: Iterable, cursor: str,
                          notes: list[str] | None = None) -> int:
        """Record a poll's releases and its new cursor in ONE transaction: after a crash either
        both are there or neither, so no release is lost and none is announced twice."""
        now = time.time()
        rows = [{"ecosystem": r.package.ecosystem.value, "name": r.package.name,
                 "version": r.package.version, "state": "new", "source": feed, "priority": 0,
                 "force": False, "discovered_at": now, "published_at": r.published, "attempts": 0}
                for r in releases]
        newest = max((r["published_at"] for r in rows if r["published_at"]), default=None)
        with self.engine.begin() as c:
            self._ensure_feed(c, feed, ecosystem)
            added = _insert_ignore(c, m.releases, rows, ["ecosystem", "name", "version"])
            values = dict(cursor=cursor, updated_at=now, last_ok=now, errors=0,
                          releases_total=m.feed_state.c.releases_total + added)
            if newest:
                col = m.feed_state.c.last_release_at
                values["last_release_at"] = sa.case((col.is_(None), newest), (col < newest, newest), else_=col)
            if notes:
                values["notes"] = "; ".join(notes)[-2000:]
            c.execute(m.feed_state.update().where(m.feed_state.c.feed == feed).values(**values))
        return added

    def record_feed_error(self, feed: str, ecosystem: str, error: str) -> None:
        with self.engine.begin() as c:
            self._ensure_feed(c, feed, ecosystem)
            c.execute(m.feed_state.update().where(m.feed_state.c.feed == feed).values(
                last_error=error[-2000:], last_error_at=time.time(), errors=m.feed_state.c.errors + 1))

    def feed_states(self) -> list[dict]:
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(sa.select(m.feed_state).order_by(m.feed_state.c.feed))]

    # ---- releases ----------------------------------------------------------------------------
    def request(self, package: Package, *, source: str = "user", priority: int = 100,
                force: bool = False) -> str:
        """Ask for an analysis. 'new' (recorded), 'requeued' (forced or failed before, or raised
        in priority) or 'exists' (already analysed or on its way, nothing to do)."""
        now = time.time()
        key = self._key(package)
        with self.engine.begin() as c:
            if _insert_ignore(c, m.releases, [dict(**key, state="new", source=source, priority=priority,
                                                   force=force, discovered_at=now, attempts=0)],
                              ["ecosystem", "name", "version"]):
                return "new"
            row = c.execute(sa.select(m.releases).where(*self._where(package))).one()
            if force or row.state in ("failed", "dead", "skipped"):
                c.execute(m.releases.update().where(m.releases.c.id == row.id).values(
                    state="new", force=force, priority=max(priority, row.priority), source=source,
                    last_error=None))
                return "requeued"
            if row.state == "new" and priority > row.priority:
                c.execute(m.releases.update().where(m.releases.c.id == row.id).values(priority=priority))
                return "requeued"
            return "exists"

    def claim_new(self, limit: int = 200) -> list[ReleaseRow]:
        """Take announced releases for scheduling (highest priority first). Rows left 'queuing'
        by a scheduler that died are handed out again after QUEUING_STALE_S."""
        now = time.time()
        out = []
        with self.engine.begin() as c:
            c.execute(m.releases.update().where(m.releases.c.state == "queuing",
                                                m.releases.c.queued_at < now - QUEUING_STALE_S)
                      .values(state="new"))
            rows = c.execute(sa.select(m.releases).where(m.releases.c.state == "new")
                             .order_by(m.releases.c.priority.desc(), m.releases.c.id).limit(limit)).all()
            for r in rows:
                got = c.execute(m.releases.update().where(m.releases.c.id == r.id, m.releases.c.state == "new")
                                .values(state="queuing", queued_at=now)).rowcount
                if got:
                    out.append(ReleaseRow(r.id, Package(Ecosystem(r.ecosystem), r.name, r.version),
                                          "queuing", r.priority, bool(r.force), r.source))
        return out

    def set_state(self, package: Package, state: str, *, error: str | None = None,
                  attempts: int | None = None, only_from: tuple[str, ...] | None = None) -> None:
        values: dict = {"state": state}
        if state == "queued":
            values["queued_at"] = time.time()
        if state in ("done", "failed", "dead", "skipped"):
            values["finished_at"] = time.time()
        if error is not None:
            values["last_error"] = error[-4000:]
        if attempts is not None:
            values["attempts"] = attempts
        where = list(self._where(package))
        if only_from:
            where.append(m.releases.c.state.in_(only_from))
        with self.engine.begin() as c:
            if not c.execute(m.releases.update().where(*where).values(**values)).rowcount and not only_from:
                _insert_ignore(c, m.releases, [dict(**self._key(package), source="worker", priority=0,
                                                    force=False, discovered_at=time.time(), **values,
                                                    **({} if attempts is not None else {"attempts": 0}))],
                               ["ecosystem", "name", "version"])

    def release_state(self, package: Package) -> str | None:
        with self.engine.connect() as c:
            return c.execute(sa.select(m.releases.c.state).where(*self._where(package))).scalar()

    def has_analysis(self, package: Package) -> bool:
        with self.engine.connect() as c:
            return c.execute(sa.select(m.analyses.c.id).where(
                m.analyses.c.ecosystem == package.ecosystem.value, m.analyses.c.name == package.name,
                m.analyses.c.version == package.version)).first() is not None

    def count_new(self) -> int:
        with self.engine.connect() as c:
            return c.execute(sa.select(sa.func.count()).select_from(m.releases)
                             .where(m.releases.c.state.in_(("new", "queuing")))).scalar() or 0

    # ---- statistics --------------------------------------------------------------------------
    def stats(self, now: float | None = None) -> dict:
        now = now or time.time()
        with self.engine.connect() as c:
            states = dict(c.execute(sa.select(m.releases.c.state, sa.func.count())
                                    .group_by(m.releases.c.state)).all())
            def done_since(t: float) -> int:
                return c.execute(sa.select(sa.func.count()).select_from(m.analyses)
                                 .where(m.analyses.c.loaded_at >= t)).scalar() or 0
            failed_1h = c.execute(sa.select(sa.func.count()).select_from(m.releases).where(
                m.releases.c.state.in_(("failed", "dead")), m.releases.c.finished_at >= now - 3600)).scalar() or 0
            analyses_total = c.execute(sa.select(sa.func.count()).select_from(m.analyses)).scalar() or 0
            mean = c.execute(sa.select(sa.func.avg(m.analyses.c.duration_s))
                             .where(m.analyses.c.loaded_at >= now - 3600)).scalar()
            return {"releases": states, "analyses_total": analyses_total,
                    "done_5m": done_since(now - 300), "done_1h": done_since(now - 3600),
                    "failed_1h": failed_1h,
                    "mean_duration_s_1h": round(float(mean), 3) if mean is not None else None}

    # ---- helpers -----------------------------------------------------------------------------
    @staticmethod
    def _key(package: Package) -> dict:
        return {"ecosystem": package.ecosystem.value, "name": package.name, "version": package.version}

    @staticmethod
    def _where(package: Package):
        return (m.releases.c.ecosystem == package.ecosystem.value, m.releases.c.name == package.name,
                m.releases.c.version == package.version)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return sa.engine.make_url(normalize_url(url)).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message helper must never fail
        return url.split("@")[-1]
