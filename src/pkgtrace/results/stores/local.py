"""Results in a local folder.

ECOSYSTEM/NAME/VERSION is a symlink to a hidden sibling folder holding that release's documents.
A new set is written to a fresh folder and the link is swapped with rename(2), which is atomic:
a reader sees all old or all new documents, and a crash never leaves a half-written release."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from pkgtrace.model import Package
from pkgtrace.results.stores.interface import serialise


def _target(link: Path) -> str | None:
    try:
        return os.readlink(link)
    except OSError:
        return None


class LocalStore:
    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def _link(self, package: Package) -> Path:
        return self.root / package.key

    def location(self, package: Package) -> str:
        return str(self._link(package))

    def put(self, package: Package, documents: dict[str, dict]) -> None:
        link = self._link(package)
        link.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=link.parent, prefix=f".{link.name}.{uuid.uuid4().hex[:8]}."))
        try:
            for kind, doc in documents.items():
                with open(staging / f"{kind}.json", "wb") as f:
                    f.write(serialise(kind, doc))
                    f.flush()
                    os.fsync(f.fileno())
            old = _target(link)
            if link.exists() and not link.is_symlink():  # a plain folder from elsewhere: keep it aside
                os.rename(link, link.parent / f".{link.name}.legacy-{uuid.uuid4().hex[:8]}")
            tmp_link = link.parent / f".{link.name}.link-{uuid.uuid4().hex[:8]}"
            os.symlink(staging.name, tmp_link)
            os.replace(tmp_link, link)
            staging = None  # now live
            if old:
                shutil.rmtree(link.parent / old, ignore_errors=True)
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)

    def get(self, package: Package, kind: str) -> dict | None:
        link = self._link(package)
        for _ in range(3):
            target = _target(link)
            try:
                with open(link / f"{kind}.json") as f:
                    return json.load(f)
            except FileNotFoundError:
                # the set was replaced while we opened it and the old folder removed: read the new one
                if target is not None and _target(link) != target:
                    continue
                return None
            except OSError as e:
                if e.errno == errno.ENAMETOOLONG:  # no such release could have been stored
                    return None
                raise
        return None

    def list(self, ecosystem=None):
        """Every stored release: the live links ECOSYSTEM/NAME/VERSION (hidden staging skipped)."""
        from pkgtrace.results.stores.interface import package_from_key
        ecos = [ecosystem.value] if ecosystem is not None else \
            sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith(".")) \
            if self.root.is_dir() else []
        for eco in ecos:
            base = self.root / eco
            if not base.is_dir():
                continue
            for name in sorted(base.iterdir()):
                if name.name.startswith(".") or not name.is_dir():
                    continue
                for version in sorted(name.iterdir()):
                    if not version.name.startswith(".") and version.is_dir():
                        yield package_from_key(f"{eco}/{name.name}/{version.name}")

    def delete(self, package: Package) -> None:
        link = self._link(package)
        target = _target(link)
        if link.is_symlink():
            os.unlink(link)
        elif link.is_dir():
            shutil.rmtree(link, ignore_errors=True)
        if target:
            shutil.rmtree(link.parent / target, ignore_errors=True)
