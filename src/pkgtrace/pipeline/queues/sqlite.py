"""The embedded queue: one SQLite table, safe for many threads and processes on one machine.

URL: sqlite:///path/queue.db[?lease=300&max_attempts=5&backoff=5]. Every state change is one
short IMMEDIATE transaction; WAL mode lets readers through while one writer commits."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from pkgtrace.pipeline.queues.interface import (DEFAULT_LEASE_S, DEFAULT_MAX_ATTEMPTS, DeadLetter,
                                                Delivery, Job, QueueError, backoff)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key TEXT NOT NULL,
  payload TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL,               -- ready | leased | done | dead
  available_at REAL NOT NULL,
  lease_owner TEXT,
  lease_until REAL,
  attempts INTEGER NOT NULL DEFAULT 0,  -- deliveries so far
  last_error TEXT,
  created_at REAL NOT NULL,
  finished_at REAL
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs(state, priority DESC, id);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_active_key ON jobs(key) WHERE state IN ('ready', 'leased');
"""

DONE_RETENTION_S = 24 * 3600


class SQLiteQueue:
    def __init__(self, url: str):
        u = urlparse(url)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        path = u.path if u.netloc == "" else "/" + u.netloc + u.path
        # sqlite:///rel/path → 'rel/path' ; sqlite:////abs/path → '/abs/path' (SQLAlchemy's rule)
        self.path = Path(path[1:] if path.startswith("/") else path)
        self.url = url
        self.lease = float(q.get("lease", DEFAULT_LEASE_S))
        self.max_attempts = int(q.get("max_attempts", DEFAULT_MAX_ATTEMPTS))
        self.backoff_base = float(q.get("backoff", 5.0))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
        return conn

    @contextmanager
    def _tx(self):
        """One IMMEDIATE transaction (takes the write lock up front: no upgrade deadlocks)."""
        c = self._conn()
        try:
            c.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise QueueError(f"queue {self.path}: {e}") from e
        try:
            yield c
        except BaseException as e:
            c.execute("ROLLBACK")
            if isinstance(e, sqlite3.Error):
                raise QueueError(f"queue {self.path}: {e}") from e
            raise
        else:
            c.execute("COMMIT")

    # ---- Queue -------------------------------------------------------------------------------
    def put(self, job: Job) -> str:
        now = time.time()
        with self._tx() as c:
            row = c.execute("SELECT id, priority FROM jobs WHERE key=? AND state IN ('ready','leased')",
                            (job.key,)).fetchone()
            if row:
                if job.priority > row["priority"]:
                    c.execute("UPDATE jobs SET priority=? WHERE id=?", (job.priority, row["id"]))
                return str(row["id"])
            cur = c.execute("INSERT INTO jobs(key, payload, priority, state, available_at, attempts, created_at)"
                            " VALUES (?,?,?,?,?,?,?)", (job.key, job.to_json(), job.priority, "ready", now, 0, now))
            return str(cur.lastrowid)

    def get(self, consumer: str, timeout: float = 1.0) -> Delivery | None:
        deadline = time.monotonic() + timeout
        while True:
            d = self._get_once(consumer)
            if d or time.monotonic() >= deadline:
                return d
            time.sleep(min(0.2, max(0.0, deadline - time.monotonic())))

    def _get_once(self, consumer: str) -> Delivery | None:
        now = time.time()
        with self._tx() as c:
            # Leases nobody renewed: the consumer died. Back to ready, or dead after too many.
            for r in c.execute("SELECT id, attempts FROM jobs WHERE state='leased' AND lease_until < ?",
                               (now,)).fetchall():
                if r["attempts"] >= self.max_attempts:
                    c.execute("UPDATE jobs SET state='dead', finished_at=?, lease_owner=NULL, last_error=?"
                              " WHERE id=?", (now, f"lease expired {r['attempts']} times (worker lost)", r["id"]))
                else:
                    c.execute("UPDATE jobs SET state='ready', lease_owner=NULL, available_at=? WHERE id=?",
                              (now, r["id"]))
            row = c.execute("SELECT * FROM jobs WHERE state='ready' AND available_at <= ?"
                            " ORDER BY priority DESC, id LIMIT 1", (now,)).fetchone()
            if row is None:
                return None
            attempt = row["attempts"] + 1
            c.execute("UPDATE jobs SET state='leased', lease_owner=?, lease_until=?, attempts=? WHERE id=?",
                      (consumer, now + self.lease, attempt, row["id"]))
        job = Job.from_json(row["payload"])
        job.last_error = row["last_error"]
        return Delivery(job, str(row["id"]), consumer, attempt)

    def touch(self, delivery: Delivery) -> None:
        with self._tx() as c:
            c.execute("UPDATE jobs SET lease_until=? WHERE id=? AND state='leased' AND lease_owner=?",
                      (time.time() + self.lease, int(delivery.receipt), delivery.consumer))

    def ack(self, delivery: Delivery) -> None:
        now = time.time()
        with self._tx() as c:
            # Whoever holds it now, the results are stored: done.
            c.execute("UPDATE jobs SET state='done', finished_at=?, lease_owner=NULL WHERE id=?"
                      " AND state IN ('leased','ready')", (now, int(delivery.receipt)))
            c.execute("DELETE FROM jobs WHERE state='done' AND finished_at < ?", (now - DONE_RETENTION_S,))

    def nack(self, delivery: Delivery, error: str, *, retry: bool = True) -> bool:
        now = time.time()
        with self._tx() as c:
            row = c.execute("SELECT attempts FROM jobs WHERE id=?", (int(delivery.receipt),)).fetchone()
            attempts = row["attempts"] if row else delivery.attempt
            if retry and attempts < self.max_attempts:
                c.execute("UPDATE jobs SET state='ready', lease_owner=NULL, last_error=?, available_at=?"
                          " WHERE id=?", (error[-4000:], now + backoff(attempts, self.backoff_base),
                                          int(delivery.receipt)))
                return True
            reason = error if not retry else f"gave up after {attempts} attempts: {error}"
            c.execute("UPDATE jobs SET state='dead', lease_owner=NULL, last_error=?, finished_at=? WHERE id=?",
                      (reason[-4000:], now, int(delivery.receipt)))
            return False

    def release(self, delivery: Delivery) -> None:
        with self._tx() as c:
            c.execute("UPDATE jobs SET state='ready', lease_owner=NULL, available_at=?,"
                      " attempts=MAX(attempts-1, 0) WHERE id=? AND state='leased'",
                      (time.time(), int(delivery.receipt)))

    def depth(self) -> dict[str, int]:
        now = time.time()
        c = self._conn()
        rows = c.execute("SELECT state, (state='ready' AND available_at > ?) AS delayed, COUNT(*) AS n"
                         " FROM jobs GROUP BY 1, 2", (now,)).fetchall()
        out = {"ready": 0, "leased": 0, "delayed": 0, "dead": 0, "done_24h": 0}
        for r in rows:
            if r["state"] == "ready":
                out["delayed" if r["delayed"] else "ready"] += r["n"]
            elif r["state"] == "done":
                out["done_24h"] += r["n"]
            elif r["state"] in out:
                out[r["state"]] += r["n"]
        return out

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        rows = self._conn().execute("SELECT * FROM jobs WHERE state='dead' ORDER BY finished_at DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [DeadLetter(Job.from_json(r["payload"]), r["last_error"] or "", r["attempts"], r["finished_at"])
                for r in rows]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
