"""`verify --analyze-missing`: ask the pipeline to analyse the releases the dataset lacks, ahead
of the feed backlog (priority "verify"), and wait until each is analysed or given up on.

The analyses are done by whatever pipeline serves the dataset (`pkgtrace up`, or `scheduler` and
`worker` processes, on this index or behind that server); verify only records the requests and
watches for their results."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

from pkgtrace.model import Package
from pkgtrace.verify.interface import Dataset

# States after which no analysis will come without a new request.
GIVEN_UP = ("dead", "skipped")


@dataclass
class Waited:
    package: Package
    state: str        # done | dead | skipped | timeout (then: the last state seen)
    detail: str = ""


# progress(done_count, total, package_just_finished_or_None, its_state)
Progress = Callable[[int, int, Package | None, str], None]


def analyze_missing(dataset: Dataset, packages: Sequence[Package], *, timeout: float = 1800.0,
                    poll: float = 1.0, progress: Progress = lambda *_a: None) -> list[Waited]:
    for p in packages:
        dataset.submit(p)
    pending = list(packages)
    out: list[Waited] = []
    progress(0, len(packages), None, "submitted")
    deadline = time.monotonic() + timeout
    while pending:
        still = []
        for p in pending:
            if dataset.lookup(p) is not None:
                out.append(Waited(p, "done"))
                progress(len(out), len(packages), p, "done")
                continue
            st = dataset.state(p)
            if st is not None and st[0] in GIVEN_UP:
                out.append(Waited(p, st[0], st[1] or ""))
                progress(len(out), len(packages), p, st[0])
                continue
            still.append(p)
        pending = still
        if not pending:
            break
        if time.monotonic() > deadline:
            for p in pending:
                st = dataset.state(p)
                out.append(Waited(p, "timeout", f"still {st[0] if st else 'not recorded'}"))
            break
        time.sleep(poll)
    return out

