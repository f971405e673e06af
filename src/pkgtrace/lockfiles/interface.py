"""What every lockfile parser returns (`Dependency`), how it fails (`LockfileError`), its shape.

A parser turns one lockfile into the exact releases it pins, direct and transitive. Only
registry dependencies are looked up in the dataset; git, URL, path and workspace dependencies are
reported as such (there is no registry release to look up), never silently dropped.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal, Protocol

from packaging.utils import canonicalize_name

from pkgtrace.model import Ecosystem, Package

# private: from an index that replaces the public registry (pip's --index-url, a Pipfile source):
# the public dataset cannot say what that index serves under the name, so it is not looked up.
SourceKind = Literal["registry", "git", "url", "path", "workspace", "private"]
SOURCE_KINDS: tuple[str, ...] = ("registry", "git", "url", "path", "workspace", "private")


@dataclass(frozen=True)
class Dependency:
    ecosystem: Ecosystem
    name: str                  # normalised per ecosystem (see normalize_name); the real name for aliases
    version: str | None        # the exact locked version; None when the file pins none (unpinned, VCS)
    file: str                  # the lockfile (or included file) it was read from
    line: int | None = None    # 1-based line of its entry, when the format lets us know it
    key: str | None = None     # where in the document: e.g. packages["node_modules/ms"]
    direct: bool | None = None  # None: the lockfile (and any manifest beside it) does not say
    source: SourceKind = "registry"
    locator: str | None = None  # git URL@rev, archive URL, local path; for registry deps a non-default index
    alias: str | None = None    # npm-style alias the project imports it under (`my-ms` for npm:ms@2.1.2)
    dev: bool | None = None     # only needed for development, when the lockfile says so
    markers: str | None = None  # environment markers / platform, when the lockfile records them
    hashes: tuple[str, ...] = ()

    @property
    def looked_up(self) -> bool:
        """Whether the dataset can hold this release: a registry release with a known version."""
        return self.source == "registry" and bool(self.version)

    @property
    def package(self) -> Package | None:
        return Package(self.ecosystem, self.name, self.version) if self.looked_up and self.version else None

    @property
    def where(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}"
        return f"{self.file} [{self.key}]" if self.key else self.file

    def to_dict(self) -> dict:
        d = asdict(self)
        d["ecosystem"] = self.ecosystem.value
        d["hashes"] = list(self.hashes)
        return d


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

    def parse(self, path: Path, text: str) -> list[Dependency]:
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
