"""Uploaded archives: size-limited, validated before anything else sees them, then analysed by this
server in a child process (the worker's pipeline/child.py) and stored and indexed like any release.

Validation runs the archive through the same hostile-archive extractor static analysis uses
(pkgtrace.static.extract): an entry that climbs out of the root, an absolute or drive path, a
bomb past the bounds or a corrupt stream refuses the upload with the reason.

An upload is recorded under its own version, VERSION+upload.ID, so that nobody holding a token can
overwrite the dataset's record of the registry's real release with an archive of their own."""

from __future__ import annotations

import json
import logging
import os
import queue as queue_mod
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from pkgtrace.model import Ecosystem, Package, sha256_file
from pkgtrace.results.index import DocumentError, Index, load_documents
from pkgtrace.results.stores import ResultStore
from pkgtrace.static.extract import Limits, extract, sniff

log = logging.getLogger("pkgtrace.web.uploads")

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


class UploadRunner:
    """Accepts validated uploads and analyses them one (or N) at a time in child processes."""

    def __init__(self, root: Path, index: Index, store: ResultStore, *, mode: str = "all", workers: int = 1,
                 timeout_s: float = 1800.0, analyzer: str = "pkgtrace.analysis:analyze"):
        self.root, self.index, self.store = Path(root), index, store
        self.mode, self.workers, self.timeout_s, self.analyzer = mode, max(1, workers), timeout_s, analyzer
        self._q: queue_mod.Queue[str | None] = queue_mod.Queue()
        self._threads: list[threading.Thread] = []
        self._stop = threading.Event()

    # ---- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        if self._threads:
            return
        for i in range(self.workers):
            t = threading.Thread(target=self._loop, name=f"upload-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        self._resume()

    def stop(self) -> None:
        self._stop.set()
        for _ in self._threads:
            self._q.put(None)
        for t in self._threads:
            t.join(5)
        self._threads = []

    def _resume(self) -> None:
        """Uploads accepted before a restart and not finished are analysed now."""
        if not self.root.is_dir():
            return
        for d in sorted(self.root.iterdir()):
            rec = self.record(d.name) if ID_RE.match(d.name) else None
            if rec and self.index.release_state(rec.package) in ("queued", "running"):
                self._q.put(rec.id)

    # ---- accept ------------------------------------------------------------------------------
    def accept(self, ecosystem: Ecosystem, filename: str, spooled: Path) -> UploadRecord:
        """Validate SPOOLED (a temp file the caller owns), keep a copy, record it, queue it."""
        package = validate_archive(spooled, ecosystem)
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
        self._q.put(upload_id)
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

    # ---- analyse -----------------------------------------------------------------------------
    def _loop(self) -> None:
        while not self._stop.is_set():
            upload_id = self._q.get()
            if upload_id is None:
                return
            rec = self.record(upload_id)
            if rec is None:
                continue
            try:
                self._analyse(rec)
            except Exception as e:  # noqa: BLE001 - one upload's failure is that upload's
                log.exception("upload %s failed", upload_id)
                self.index.set_state(rec.package, "failed", error=f"{type(e).__name__}: {e}")

    def _analyse(self, rec: UploadRecord) -> None:
        pkg = rec.package
        self.index.set_state(pkg, "running", attempts=1)
        t0 = time.monotonic()
        with tempfile.TemporaryDirectory(prefix="pkgtrace-upload-") as tmp:
            req, out = Path(tmp, "request.json"), Path(tmp, "out.json")
            req.write_text(json.dumps({"ecosystem": rec.ecosystem, "local": str(self.root / rec.id / rec.filename),
                                       "mode": rec.mode, "analyzer": self.analyzer}))
            with open(Path(tmp, "stderr.log"), "wb") as err:
                proc = subprocess.Popen([sys.executable, "-m", "pkgtrace.pipeline.child", str(req), str(out)],
                                        stdin=subprocess.DEVNULL, stdout=err, stderr=err)
                try:
                    proc.wait(self.timeout_s)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    self.index.set_state(pkg, "failed", error=f"analysis timed out after {self.timeout_s:.0f}s")
                    return
            try:
                result = json.loads(out.read_text())
            except (OSError, ValueError):
                tail = Path(tmp, "stderr.log").read_bytes()[-500:].decode(errors="replace")
                self.index.set_state(pkg, "failed", error=f"analysis exited {proc.returncode}: {tail}")
                return
        if "error" in result:
            self.index.set_state(pkg, "failed", error=result["error"])
            return
        documents = result["documents"]
        try:
            self.store.put(pkg, documents)
            load_documents(self.index, pkg, documents, location=self.store.location(pkg),
                           duration_s=round(time.monotonic() - t0, 3), worker="web-upload")
        except DocumentError as e:
            self.index.set_state(pkg, "failed", error=f"bad documents: {e}")
