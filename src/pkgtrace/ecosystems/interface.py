"""What every registry module provides: resolve a release, fetch its artifact, identify a local one,
and say what the registry records of a release's history."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.static.extract import read_heads


class RegistryError(Exception):
    """The registry could not answer usefully: unknown package, bad response, download failure."""


def read_manifests(path: Path, wanted: Callable[[str], bool], what: str, *,
                   first: bool = True) -> list[tuple[str, bytes]]:
    """(path inside, first MiB) of the files WANTED accepts in the local artifact PATH: the first
    one (the walk ends there) or, not FIRST, all. Read by the one bounded archive reader, so a
    bomb or a corrupt archive costs bounded time and memory; RegistryError naming WHAT when there
    is none."""
    heads, result = read_heads(path, wanted, head_bytes=1 << 20, budget=4 << 20, max_heads=1 if first else None)
    if not heads:
        why = next((p.message for p in result.problems if p.fatal), "")
        raise RegistryError(f"{path}: no {what}" + (f" ({why})" if why else ""))
    return heads


@dataclass(frozen=True)
class ReleaseHistory:
    """A release's history as the registry records it, as of the release's publication (releases
    up to and including it): a release judged later, or in an evaluation, is judged on what the
    registry said when it appeared. The metadata rules' evidence (verdict/metadata.py)."""
    release_count: int
    first_release: str | None = None   # ISO time, where the registry gives upload times
    release_time: str | None = None
    previous_version: str | None = None
    previous_had_install_hook: bool | None = None  # where the registry records it (npm)
    summary: str | None = None


def as_of(order: list[str], version: str) -> tuple[list[str], str | None]:
    """The versions in publication ORDER up to and including VERSION, and the one before it."""
    if version not in order:
        return order, None
    order = order[:order.index(version) + 1]
    return order, order[-2] if len(order) > 1 else None


class Registry(Protocol):
    ecosystem: Ecosystem

    def resolve(self, name: str, version: str | None = None) -> Package:
        """The release NAME@VERSION, or the latest release when VERSION is None."""

    def download(self, package: Package, dest: Path) -> Artifact:
        """Fetch the release's artifact into DEST (a folder); verify its published digest."""

    def identify_local(self, path: Path) -> Package:
        """Name and version of a local artifact, read from its file name or metadata."""

    def sandbox_phases(self, package: Package, guest_artifact: str) -> list[tuple[str, list[str]]]:
        """(phase, argv) pairs run in order inside the sandbox; the artifact is at GUEST_ARTIFACT."""

    def history(self, name: str, version: str) -> ReleaseHistory | None:
        """What the registry records of NAME's releases up to VERSION; None where this module
        reads no history from its registry."""
