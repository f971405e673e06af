"""What the web app serves from and how it guards writes. Every service is a URL, as elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from pkgtrace.pipeline import settings as pipeline_settings

DEFAULT_MAX_UPLOAD = 64 << 20  # bytes of one uploaded archive
DEFAULT_MAX_LOCKFILE = 8 << 20  # bytes of one posted lockfile


@dataclass
class WebSettings:
    index_url: str
    results_url: str
    queue_url: str | None = None  # None: the status shows no queue depth
    tokens: list[str] = field(default_factory=list)  # API tokens that may submit; none: submitting is off
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    max_lockfile_bytes: int = DEFAULT_MAX_LOCKFILE
    uploads_dir: Path = field(default_factory=lambda: pipeline_settings.state_dir() / "uploads")
    upload_mode: str = "all"  # static | dynamic | all: what an uploaded archive gets
    upload_workers: int = 1  # worker slots this server runs on the upload queue
    upload_queue_url: str | None = None  # None: a SQLite queue in uploads_dir, run by this server
    upload_timeout_s: float = 1800.0
    analyzer: str = "pkgtrace.analysis:analyze"

    @classmethod
    def from_env(cls, *, index: str | None = None, results: str | None = None, queue: str | None = None,
                 tokens: list[str] | None = None, token_file: Path | None = None, **kw) -> "WebSettings":
        """Flags first, then PKGTRACE_* variables, then the embedded defaults `pkgtrace up` uses."""
        return cls(index_url=pipeline_settings.index_url(index), results_url=pipeline_settings.results_url(results),
                   queue_url=pipeline_settings.queue_url(queue),
                   tokens=list(tokens or []) + tokens_from_env() + tokens_from_file(token_file), **kw)


def tokens_from_env() -> list[str]:
    return [t.strip() for t in os.environ.get("PKGTRACE_API_TOKENS", "").split(",") if t.strip()]


def tokens_from_file(path: Path | None) -> list[str]:
    """One token a line; blank lines and #comments ignored."""
    if path is None:
        return []
    lines = Path(path).read_text().splitlines()
    return [ln.strip() for ln in lines if ln.strip() and not ln.strip().startswith("#")]
