"""Where pkgtrace keeps things on this machine. Every path can be moved by an environment variable."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Sandbox images and other rebuildable state (XDG cache)."""
    base = os.environ.get("PKGTRACE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pkgtrace")
    return Path(base)


def data_dir() -> Path:
    """The per-user dataset: results and the embedded queue and index (XDG data), so that every
    command finds what the last one stored wherever it is run from. `pkgtrace --data-dir DIR`
    and PKGTRACE_DATA move it."""
    base = os.environ.get("PKGTRACE_DATA") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "pkgtrace")
    return Path(base).absolute()


def results_dir() -> Path:
    return Path(os.environ.get("PKGTRACE_RESULTS") or data_dir() / "results")


def state_dir() -> Path:
    """The embedded services' SQLite files (queue, index) and uploads."""
    return Path(os.environ.get("PKGTRACE_STATE") or data_dir() / "state").resolve()


def runs_dir() -> Path:
    """Per-run scratch (bundles, overlays, logs); on disk, not tmpfs, since installs can be large."""
    return Path(os.environ.get("PKGTRACE_RUNS") or "/var/tmp/pkgtrace-runs")
