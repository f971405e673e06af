"""What every lockfile parser returns (`api.verify.DependencyDoc`), how it fails (`LockfileError`), its shape.

A parser turns one lockfile into the exact releases it pins, direct and transitive. Only
registry dependencies are looked up in the dataset; git, URL, path and workspace dependencies are
reported as such (there is no registry release to look up), never silently dropped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from packaging.utils import canonicalize_name

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.model import Ecosystem


class LockfileError(Exception):
    """A lockfile that cannot be read: names the file and the line or key at fault."""

    def __init__(self, file: str | Path, message: str, *, line: int | None = None,
                 key: str | None = None) -> None:
        self.file, self.message, self.line, self.key = str(file), message, line, key
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.key:
            where += f" [{self.key}]"
        return f"{where}: {self.message}"


class LockfileParser(Protocol):
    format: str            # e.g. "package-lock.json", "yarn.lock (berry)"
    ecosystem: Ecosystem

    def claims_name(self, filename: str) -> bool:
        """Whether a file of this name is, conventionally, in this format."""

    def sniff(self, text: str) -> bool:
        """Whether the content looks like this format (for files named otherwise)."""

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        """Every dependency the file pins, deduplicated; raises LockfileError when malformed."""


def normalize_name(ecosystem: Ecosystem, name: str) -> str:
    """The name under which the registry (and so the dataset) knows the package."""
    name = name.strip()
    if ecosystem is Ecosystem.PYPI:
        return canonicalize_name(name)  # PEP 503
    if ecosystem is Ecosystem.PACKAGIST:
        return name.lower()  # Packagist names are case-insensitive, stored lower-case
    # npm, RubyGems and crates.io names are matched as published.
    return name
