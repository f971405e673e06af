"""What every registry module provides: resolve a release, fetch its artifact, identify a local one."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from pkgtrace.model import Artifact, Ecosystem, Package


class RegistryError(Exception):
    """The registry could not answer usefully: unknown package, bad response, download failure."""


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
