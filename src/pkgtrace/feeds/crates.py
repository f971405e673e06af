"""crates.io, two ways.

CratesIndexFeed follows the registry's git index (one JSON line per published version, appended to
the crate's file), cursor = the last commit read: each poll fetches and diffs the cursor's tree
against the new head, so even a force-pushed squash of the index's history yields only the real
changes. CratesApiFeed, for where git cannot reach, reads the API's recent-updates listing
(`/api/v1/summary`), cursor = the newest `updated_at` seen."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from pkgtrace.config import cache_dir
from pkgtrace.feeds import _http
from pkgtrace.feeds._http import iso_timestamp
from pkgtrace.feeds.interface import FeedBatch, FeedError, Release, dedup
from pkgtrace.model import Ecosystem, Package

GIT_TIMEOUT_S = 600


def index_url() -> str:
    return os.environ.get("PKGTRACE_CRATES_INDEX_URL", "https://github.com/rust-lang/crates.io-index.git")


def api_url() -> str:
    return os.environ.get("PKGTRACE_CRATES_URL", "https://crates.io").rstrip("/")


class CratesIndexFeed:
    name = "crates.io"
    ecosystem = Ecosystem.CRATES

    def __init__(self, url: str | None = None, workdir: Path | None = None):
        self.url = url or index_url()
        self.dir = workdir or (cache_dir() / "feeds" / "crates-index.git")

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="true")
        try:
            p = subprocess.run(["git", "--git-dir", str(self.dir), *args], capture_output=True,
                               env=env, timeout=GIT_TIMEOUT_S)
        except FileNotFoundError as e:
            raise FeedError("git is not installed; use the crates.io-api feed instead") from e
        except subprocess.TimeoutExpired as e:
            raise FeedError(f"git {args[0]} {self.url}: timed out after {GIT_TIMEOUT_S}s") from e
        if check and p.returncode != 0:
            raise FeedError(f"git {args[0]} {self.url}: {p.stderr.decode(errors='replace').strip()[-400:]}")
        return p

    def _fetch(self) -> str:
        """Fetch the index's default branch; the commit it now points at."""
        if not (self.dir / "HEAD").exists():
            self.dir.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "-q", "--bare", str(self.dir)], check=True, capture_output=True)
        ref = "+HEAD:refs/feed/head"
        # Shallow keeps the first fetch of the real index small; dumb-HTTP servers refuse it.
        shallow = (self.dir / "shallow").exists() or not self._has_ref()
        if shallow and self._git("fetch", "-q", "--depth=1", self.url, ref, check=False).returncode == 0:
            pass
        else:
            self._git("fetch", "-q", self.url, ref)
        return self._git("rev-parse", "refs/feed/head").stdout.decode().strip()

    def _has_ref(self) -> bool:
        return self._git("rev-parse", "-q", "--verify", "refs/feed/head", check=False).returncode == 0

    def _have(self, commit: str) -> bool:
        return self._git("cat-file", "-e", f"{commit}^{{commit}}", check=False).returncode == 0

    def start_cursor(self) -> str:
        return self._fetch()

    def poll(self, cursor: str) -> FeedBatch:
        head = self._fetch()
        if head == cursor:
            return FeedBatch([], cursor)
        if not self._have(cursor):
            # A fresh cache folder: ask for the cursor's commit itself before giving up on it.
            self._git("fetch", "-q", "--depth=1", self.url, cursor, check=False)
            if not self._have(cursor):
                return FeedBatch([], head, notes=[f"commit {cursor[:12]} is gone from the index; "
                                                  f"resynced at {head[:12]}"])
        diff = self._git("diff", "--no-color", "--no-renames", "--unified=0", cursor, head).stdout
        releases = []
        for raw in diff.splitlines():
            if not raw.startswith(b"+") or raw.startswith(b"+++"):
                continue
            try:
                entry = json.loads(raw[1:])
            except ValueError:
                continue  # config.json and anything else that is not an index line
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) \
                    and isinstance(entry.get("vers"), str) and not entry.get("yanked"):
                releases.append(Release(Package(Ecosystem.CRATES, entry["name"], entry["vers"])))
        return FeedBatch(dedup(releases), head)


class CratesApiFeed:
    name = "crates.io-api"
    ecosystem = Ecosystem.CRATES

    def __init__(self, url: str | None = None):
        self.url = url or api_url()

    def _summary(self) -> list[tuple[str, str, float]]:
        doc = _http.get_json(f"{self.url}/api/v1/summary")
        rows = []
        for key in ("just_updated", "new_crates"):
            for c in doc.get(key) or []:
                if not isinstance(c, dict):
                    raise FeedError(f"{self.url}/api/v1/summary: malformed {key} entry")
                name = c.get("name") or c.get("id")
                vers = c.get("newest_version") or c.get("max_version")
                t = iso_timestamp(c.get("updated_at"))
                if isinstance(name, str) and isinstance(vers, str) and t is not None:
                    rows.append((name, vers, t))
        if not rows and "just_updated" not in doc:
            raise FeedError(f"{self.url}/api/v1/summary: no just_updated listing")
        return rows

    def start_cursor(self) -> str:
        rows = self._summary()
        return repr(max((t for *_, t in rows), default=0.0))

    def poll(self, cursor: str) -> FeedBatch:
        since = float(cursor)
        rows = sorted((r for r in self._summary() if r[2] > since), key=lambda r: r[2])
        releases = [Release(Package(Ecosystem.CRATES, n, v), t) for n, v, t in rows]
        return FeedBatch(dedup(releases), repr(max([since] + [t for *_, t in rows])))


