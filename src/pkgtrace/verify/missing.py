"""`verify --analyze-missing`: ask the pipeline to analyse the releases the dataset lacks, ahead
of the feed backlog (priority "verify"), and wait until each is analysed or given up on.

The analyses are done by whatever pipeline serves this index (`pkgtrace up`, or `scheduler` and
`worker` processes); verify only records the requests and watches the index."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Sequence

from pkgtrace.model import Package
from pkgtrace.pipeline.queues import PRIORITY_VERIFY
from pkgtrace.results.index.query import release_state, release_verdict
from pkgtrace.verify.local import LocalDataset

# States after which no analysis will come without a new request.
GIVEN_UP = ("dead", "skipped")


@dataclass
class Waited:
    package: Package
    state: str        # done | dead | skipped | timeout (then: the last state seen)
    detail: str = ""


# progress(done_count, total, package_just_finished_or_None, its_state)
Progress = Callable[[int, int, Package | None, str], None]


def analyze_missing(dataset: LocalDataset, packages: Sequence[Package], *, timeout: float = 1800.0,
                    poll: float = 1.0, progress: Progress = lambda *_a: None) -> list[Waited]:
    idx = dataset.index
    for p in packages:
        idx.request(p, source="verify", priority=PRIORITY_VERIFY)
    pending = list(packages)
    out: list[Waited] = []
    progress(0, len(packages), None, "submitted")
    deadline = time.monotonic() + timeout
    while pending:
        still = []
        for p in pending:
            if release_verdict(idx, p) is not None:
                out.append(Waited(p, "done"))
                progress(len(out), len(packages), p, "done")
                continue
            st = release_state(idx, p)
            if st is not None and st.state in GIVEN_UP:
                out.append(Waited(p, st.state, st.last_error or ""))
                progress(len(out), len(packages), p, st.state)
                continue
            still.append(p)
        pending = still
        if not pending:
            break
        if time.monotonic() > deadline:
            for p in pending:
                st = release_state(idx, p)
                out.append(Waited(p, "timeout", f"still {st.state if st else 'not recorded'}"))
            break
        time.sleep(poll)
    return out

