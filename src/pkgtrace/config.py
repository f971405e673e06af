"""Where pkgtrace keeps things on this machine. Every path can be moved by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Sandbox images and other rebuildable state (XDG cache)."""
    base = os.environ.get("PKGTRACE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pkgtrace")
    return Path(base)


def results_dir() -> Path:
    return Path(os.environ.get("PKGTRACE_RESULTS") or "results")


def runs_dir() -> Path:
    """Per-run scratch (bundles, overlays, logs); on disk, not tmpfs, since installs can be large."""
    return Path(os.environ.get("PKGTRACE_RUNS") or "/var/tmp/pkgtrace-runs")
