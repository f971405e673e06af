"""Where verify looks releases up: a Dataset answers 'what does pkgtrace know of this release?'."""

from __future__ import annotations

from typing import Protocol

from pkgtrace.formats.interface import ReleaseRecord
from pkgtrace.model import Package


class DatasetError(Exception):
    """The dataset could not be read (index unreachable, server down or answering nonsense)."""


class Dataset(Protocol):
    name: str  # for people: the index URL (password hidden) or the server's URL

    def lookup(self, package: Package) -> ReleaseRecord | None:
        """The release's record (label "unknown" when analysed without a verdict yet), or None
        when the dataset has never analysed it. Raises DatasetError when it cannot answer."""

    def close(self) -> None:
        ...
