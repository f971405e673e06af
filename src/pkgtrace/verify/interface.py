"""Where verify looks releases up: a Dataset answers 'what does pkgtrace know of this release?'."""

from __future__ import annotations

from typing import Protocol

from pkgtrace.api.verify import ReleaseRecord
from pkgtrace.model import Package


class DatasetError(Exception):
    """The dataset could not be read (index unreachable, server down or answering nonsense)."""


class Dataset(Protocol):
    name: str  # for people: the index URL (password hidden) or the server's URL

    def lookup(self, package: Package) -> ReleaseRecord | None:
        """The release's record (label "unknown" when analysed without a verdict yet), or None
        when the dataset has never analysed it. Raises DatasetError when it cannot answer."""

    def submit(self, package: Package) -> None:
        """Ask for the release to be analysed, ahead of the feed backlog (--analyze-missing)."""

    def state(self, package: Package) -> tuple[str, str | None] | None:
        """Where the pipeline is with a release not analysed yet: (state, last error), or None
        when it has never heard of it. States: new, queuing, queued, running, done, failed,
        dead, skipped."""

    def close(self) -> None:
        ...
