"""Uploaded archives: size-limited, validated before anything else sees them, then queued as a job
like every other release: a pipeline worker analyses and records it (by default this server's
own slots on its own queue; see Services.upload_queue).

Validation runs the archive through the same hostile-archive extractor static analysis uses
(pkgtrace.static.extract): an entry that climbs out of the root, an absolute or drive path, a
bomb past the bounds or a corrupt stream refuses the upload with the reason.

An upload is recorded under its own version, VERSION+upload.ID, so that nobody holding a token can
overwrite the dataset's record of the registry's real release with an archive of their own."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from pkgtrace.model import Ecosystem, Package, sha256_file
from pkgtrace.pipeline.queues import PRIORITY_USER, Job, Queue, QueueError
from pkgtrace.results.index import Index
from pkgtrace.static.extract import Limits, extract, sniff

# Bounds for validating an upload: tighter than analysis' own, the server pays for the extraction.
VALIDATION_LIMITS = Limits(max_total_bytes=512 << 20, max_file_bytes=256 << 20, max_files=30_000)
_REFUSED = {"traversal", "absolute", "drive", "name", "limit", "ratio", "corrupt", "format", "device"}
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._+@-]")
ID_RE = re.compile(r"^[0-9a-f]{32}$")


class UploadError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def safe_filename(name: str | None) -> str:
    """The upload's base name with only harmless characters (the name tells wheel from sdist)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _SAFE_NAME.sub("_", base).lstrip(".")[:200]
    return base or "upload.bin"


def validate_archive(path: Path, ecosystem: Ecosystem, limits: Limits = VALIDATION_LIMITS) -> Package:
    """The release the archive says it is, or UploadError(422) with the reason it is refused."""
    if path.stat().st_size == 0:
        raise UploadError(422, "the upload is empty")
    kind = sniff(path)
    if kind == "unknown":
        raise UploadError(422, "not an archive: expected a zip, tar, tar.gz/.tgz, .gem, .crate or wheel")
    scratch = Path(tempfile.mkdtemp(prefix="pkgtrace-upload-check-"))
    try:
        result = extract(path, scratch / "root", limits=limits)
        bad = [p for p in result.problems if p.fatal and p.kind in _REFUSED] or \
              [p for p in result.problems if p.fatal]
        if bad:
            p = bad[0]
            where = f" ({p.path})" if p.path else ""
            raise UploadError(422, f"archive refused: {p.kind}{where}: {p.message}")
        if not result.files and not result.extra:
            raise UploadError(422, "archive refused: it holds no files")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    from pkgtrace.ecosystems import registry_for
    try:
        return registry_for(ecosystem).identify_local(path)
    except Exception as e:  # noqa: BLE001 - any identification failure is the upload's problem
        raise UploadError(422, f"cannot tell which {ecosystem.value} release this archive is: {e}") from None


@dataclass
class UploadRecord:
    id: str
    filename: str
    ecosystem: str
    name: str
    version: str  # as the archive declares it
    recorded_version: str  # VERSION+upload.ID: the identity in the dataset
    size: int
    sha256: str
    created: float
    mode: str

    @property
    def package(self) -> Package:
        return Package(Ecosystem(self.ecosystem), self.name, self.recorded_version)


class Uploads:
    """Accepts validated uploads and queues them for analysis."""

    def __init__(self, root: Path, index: Index, queue: Callable[[], Queue | None], *, mode: str = "all"):
        self.root, self.index, self.queue, self.mode = Path(root), index, queue, mode

    def accept(self, ecosystem: Ecosystem, filename: str, spooled: Path) -> UploadRecord:
        """Validate SPOOLED (a temp file the caller owns), keep a copy, record it, queue it."""
        package = validate_archive(spooled, ecosystem)
        queue = self.queue()
        if queue is None:
            raise UploadError(503, "uploads go through the pipeline's queue, and it cannot be opened")
        upload_id = uuid.uuid4().hex
        folder = self.root / upload_id
        folder.mkdir(parents=True)
        dest = folder / safe_filename(filename)
        shutil.copyfile(spooled, dest)
        digest = sha256_file(dest)
        rec = UploadRecord(upload_id, dest.name, ecosystem.value, package.name, package.version,
                           f"{package.version}+upload.{upload_id[:12]}", dest.stat().st_size, digest,
                           time.time(), self.mode)
        tmp = folder / "meta.json.tmp"
        tmp.write_text(json.dumps(asdict(rec)))
        os.replace(tmp, folder / "meta.json")
        self.index.set_state(rec.package, "queued")
        self._source(rec.package)
        try:
            queue.put(Job.for_package(rec.package, priority=PRIORITY_USER, force=True, source="upload",
                                           mode=self.mode, local=str(dest)))
        except QueueError as e:
            self.index.set_state(rec.package, "failed", error=f"not queued: {e}")
            raise UploadError(503, f"the queue is unavailable: {e}") from None
        return rec

    def _source(self, package: Package) -> None:
        """Mark the row as an upload: the scheduler never sees it (it is not 'new'), people do."""
        from pkgtrace.results.index import models as m
        r = m.releases
        with self.index.engine.begin() as c:
            c.execute(r.update().where(r.c.ecosystem == package.ecosystem.value, r.c.name == package.name,
                                       r.c.version == package.version).values(source="upload", priority=100))

    def record(self, upload_id: str) -> UploadRecord | None:
        if not ID_RE.match(upload_id or ""):
            return None
        try:
            d = json.loads((self.root / upload_id / "meta.json").read_text())
            return UploadRecord(**{k: d[k] for k in UploadRecord.__dataclass_fields__})
        except (OSError, ValueError, KeyError, TypeError):
            return None
