"""The dataset on this machine (or a shared database): the index, read through results/index/query."""

from __future__ import annotations

from typing import Callable

from pkgtrace.api.findings import RecordFinding
from pkgtrace.api.verify import ReleaseRecord
from pkgtrace.model import Package
from pkgtrace.pipeline.queues import PRIORITY_VERIFY
from pkgtrace.pipeline.scheduler import Scheduler
from pkgtrace.results.index import Index, open_index, redact
from pkgtrace.results.index.osv import osv_matches
from pkgtrace.results.index.query import release_state, release_verdict
from pkgtrace.verify.interface import DatasetError
from pkgtrace.verify.records import record_from


class LocalDataset:
    def __init__(self, index: Index, page: Callable[[Package], str] | None = None):
        """PAGE: where a person reads an analysed release (a server's page for it); without it,
        where its documents are stored."""
        self.index, self.page = index, page
        self.name = redact(index.url)

    @classmethod
    def open(cls, index_url: str) -> "LocalDataset":
        try:
            return cls(open_index(index_url))
        except Exception as e:  # noqa: BLE001 - any driver's failure to open is one clear error
            raise DatasetError(f"cannot open the index {redact(index_url)}: {e}") from e

    def lookup(self, package: Package) -> ReleaseRecord | None:
        """The release's analysis, with any OSV malicious-package record that covers it: such
        a record makes the release malicious even if pkgtrace never analysed it."""
        try:
            v = release_verdict(self.index, package)
            intel = osv_matches(self.index, package)
        except Exception as e:  # noqa: BLE001
            raise DatasetError(f"{self.name}: {type(e).__name__}: {e}") from e
        if v is None and not intel:
            return None
        osv_findings = [RecordFinding(rule="osv-malicious-package", severity="critical",
                                      message=f"{x.record_id}: {x.summary}" if x.summary else x.record_id,
                                      evidence={"osv": x.record_id, "url": x.url,
                                                **({"modified": x.modified} if x.modified else {})})
                        for x in intel]
        if v is None:
            return record_from("malicious", 1.0, osv_findings, url=intel[0].url)
        url = self.page(v.package) if self.page else v.location  # v.package: the stored spelling
        if intel:
            return record_from("malicious", max(v.score or 0.0, 1.0), osv_findings + list(v.findings),
                               analyzed=v.created, url=url)
        return record_from(v.label, v.score, v.findings, analyzed=v.created, url=url)

    def submit(self, package: Package) -> None:
        # The scheduler's entry point: it only records the request in the index, which the
        # pipeline serving this index picks up; verify needs no queue connection of its own.
        Scheduler(self.index, None).submit(package, priority=PRIORITY_VERIFY, source="verify")  # type: ignore[arg-type]

    def state(self, package: Package) -> tuple[str, str | None] | None:
        st = release_state(self.index, package)
        return (st.state, st.last_error) if st else None

    def close(self) -> None:
        self.index.close()


class EmptyDataset:
    """The local dataset before anything was analysed or imported: it knows no release. verify
    reads; it does not create a dataset just to find it empty."""

    def __init__(self, where: str):
        self.name = f"{where} (no analyses yet)"

    def lookup(self, package: Package) -> ReleaseRecord | None:
        return None

    def submit(self, package: Package) -> None:
        raise DatasetError("no dataset yet to submit to: run `pkgtrace up` (or analyze) first")

    def state(self, package: Package) -> tuple[str, str | None] | None:
        return None

    def close(self) -> None:
        pass
