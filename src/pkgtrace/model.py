"""The shared vocabulary: ecosystems, packages, artifacts.

Everything else in pkgtrace speaks in these types; keep them small and stable.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Ecosystem(str, Enum):
    """Ecosystem ids exactly as OSSF package-analysis spells them."""

    PYPI = "pypi"
    NPM = "npm"
    RUBYGEMS = "rubygems"
    PACKAGIST = "packagist"
    CRATES = "crates.io"

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, text: str) -> "Ecosystem":
        key = text.strip().lower()
        aliases = {"crates": "crates.io", "cargo": "crates.io", "gem": "rubygems",
                   "composer": "packagist", "pip": "pypi"}
        key = aliases.get(key, key)
        for member in cls:
            if member.value == key:
                return member
        raise ValueError(f"unknown ecosystem {text!r}; expected one of "
                         + ", ".join(m.value for m in cls))


@dataclass(frozen=True)
class Package:
    ecosystem: Ecosystem
    name: str
    version: str

    @property
    def key(self) -> str:
        """Storage key: ECOSYSTEM/NAME/VERSION, safe as a relative path."""
        return "/".join(_safe_segment(s) for s in (self.ecosystem.value, self.name, self.version))

    def __str__(self) -> str:
        return f"{self.ecosystem.value}/{self.name}@{self.version}"


@dataclass(frozen=True)
class Artifact:
    """A downloaded (or local) release archive on the host."""

    package: Package
    path: Path
    url: str | None = None  # None for --local
    sha256: str = ""

    @classmethod
    def from_file(cls, package: Package, path: Path, url: str | None = None) -> "Artifact":
        return cls(package=package, path=path, url=url, sha256=sha256_file(path))


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _safe_segment(s: str) -> str:
    # Scoped npm names contain '/', which must not create a directory level of its own
    # or climb out of the results root.
    s = s.replace("/", "%2F").replace("\\", "%5C")
    if s in ("", ".", ".."):
        s = s.replace(".", "%2E") or "%00"
    return s
