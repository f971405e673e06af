"""Where the pipeline's services are: every one is a URL, from a flag or an environment variable,
defaulting to the embedded ones (SQLite files under PKGTRACE_STATE, results in a local folder)."""

from __future__ import annotations

import os

from pkgtrace.config import results_dir, state_dir  # noqa: F401 - state_dir: web settings


def queue_url(flag: str | None = None) -> str:
    return flag or os.environ.get("PKGTRACE_QUEUE") or f"sqlite:///{state_dir() / 'queue.db'}"


def index_url(flag: str | None = None) -> str:
    return flag or os.environ.get("PKGTRACE_INDEX") or f"sqlite:///{state_dir() / 'index.db'}"


def results_url(flag: str | None = None) -> str:
    return flag or str(results_dir().resolve() if "://" not in str(results_dir()) else results_dir())


def notify_url(flag: str | None = None) -> str | None:
    return flag or os.environ.get("PKGTRACE_NOTIFY") or None
