"""The lockfiles under a folder: what `verify DIR` checks. Installed trees (node_modules,
virtualenvs, vendor folders) are skipped: their lockfiles describe packages' own builds, not
the project, and a hostile package can plant one there."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from pkgtrace.lockfiles.detect import is_lockfile_name

SKIP_DIRS = frozenset({"node_modules", "vendor", "bower_components", "jspm_packages", ".git", ".hg",
                       ".svn", "__pycache__", ".venv", "venv", ".tox", ".nox", "site-packages",
                       "dist-packages", ".pnpm-store", ".yarn", "target", ".cargo", ".mypy_cache",
                       ".pytest_cache"})
MAX_FILES = 10_000  # lockfiles from one tree; more is not a project


def _is_virtualenv(d: Path) -> bool:
    return (d / "pyvenv.cfg").is_file() or (d / "conda-meta").is_dir()


def find_lockfiles(paths: Iterable[Path]) -> list[Path]:
    """PATHS with every folder replaced by the lockfiles found under it (sorted); files stay as
    given. FileNotFoundError for a path that does not exist."""
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if not p.is_dir():
            if not p.exists() and not p.is_symlink():
                raise FileNotFoundError(f"{p}: no such file or folder")
            out.append(p)
            continue
        found: list[Path] = []
        for dirpath, dirnames, filenames in os.walk(p):  # symlinked folders are not followed
            here = Path(dirpath)
            dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not _is_virtualenv(here / d))
            names = set(filenames)
            found.extend(here / f for f in sorted(filenames) if is_lockfile_name(f)
                         and not (f == "bun.lockb" and "bun.lock" in names))  # the text one says it all
            if len(found) > MAX_FILES:
                raise FileNotFoundError(f"{p}: more than {MAX_FILES} lockfiles; give the project folders")
        out.extend(found)
    return out
