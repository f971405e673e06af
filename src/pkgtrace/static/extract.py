"""Safe extraction of every artifact kind the five registries serve.

The archive is hostile until proven otherwise: no entry is written outside the root, links and
device nodes are recorded but never created, and total size, file count and compression ratio are
bounded. A broken bound or a corrupt stream ends in a clear problem record and whatever was
extracted so far (status "partial"), never in an exception or a write outside the scratch folder.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable, Iterator, Literal

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Limits:
    max_total_bytes: int = 1 << 30        # uncompressed bytes written, all files together
    max_file_bytes: int = 256 << 20       # one file
    max_files: int = 30_000               # regular files written
    max_ratio: float = 100.0              # uncompressed : compressed
    ratio_floor: int = 8 << 20            # ratios are only judged past this many bytes
    max_metadata_bytes: int = 4 << 20     # a .gem's metadata.gz, decompressed
    max_depth: int = 64                   # path components
    max_entries: int = 200_000            # entries of any kind read before giving up
    max_decompressed_bytes: int = 4 << 30  # decompressed, skipped entries included


@dataclass
class ExtractedFile:
    path: str       # path inside the archive, '/'-separated, as shown in reports
    disk: Path      # where its bytes are on disk
    size: int


@dataclass
class Link:
    path: str
    target: str
    kind: Literal["symlink", "hardlink"]


@dataclass
class Problem:
    kind: str       # traversal, absolute, drive, device, limit, ratio, corrupt, name, conflict, ...
    message: str
    path: str | None = None
    fatal: bool = True   # False: recorded for the record (a link, a device node), nothing lost

    def as_dict(self) -> dict:
        return {"kind": self.kind, "path": self.path, "message": self.message}


@dataclass
class ExtractResult:
    root: Path
    archive_kind: str
    files: list[ExtractedFile] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total_bytes: int = 0
    # Files that live beside the root rather than in it (a .gem's decompressed metadata.gz).
    extra: list[ExtractedFile] = field(default_factory=list)

    @property
    def status(self) -> Literal["ok", "partial", "failed"]:
        if any(p.fatal for p in self.problems):
            return "partial" if self.files or self.extra else "failed"
        return "ok"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.fatal]


class LimitExceeded(Exception):
    """A bound that ends the whole extraction (total size, file count, overall ratio)."""


class UnsafePath(Exception):
    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind


# ---------------------------------------------------------------------------------------------
# Entry names

_DRIVE = re.compile(r"^[A-Za-z]:")
_SURROGATE = re.compile("[\udc80-\udcff]")


def safe_relpath(name: str, max_depth: int = 64) -> tuple[str, bool]:
    """The normalised relative path of an archive entry, and whether its name was not UTF-8.

    Raises UnsafePath for absolute, drive-letter, UNC and traversing names rather than rewriting
    them: an entry that tries to climb out is evidence, not something to repair.
    """
    if "\x00" in name:
        raise UnsafePath("name", "entry name contains a NUL byte")
    not_utf8 = bool(_SURROGATE.search(name))
    if not_utf8:  # tarfile decodes with surrogateescape; show the raw bytes as %XX
        name = _SURROGATE.sub(lambda m: "%%%02X" % (ord(m.group()) - 0xDC00), name)
    unix = name.replace("\\", "/")
    if _DRIVE.match(unix):
        raise UnsafePath("drive", f"Windows drive path {name!r} refused")
    if unix.startswith("/"):
        raise UnsafePath("absolute", f"absolute path {name!r} refused")
    parts = [p for p in unix.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise UnsafePath("traversal", f"path traversal {name!r} refused")
    if len(parts) > max_depth:
        raise UnsafePath("name", f"path deeper than {max_depth} levels refused")
    for p in parts:
        if len(p.encode("utf-8", "surrogateescape")) > 255:
            raise UnsafePath("name", f"path component longer than 255 bytes refused: {p[:40]!r}…")
    return "/".join(parts), not_utf8


# ---------------------------------------------------------------------------------------------
# Archive entries, whatever the container


@dataclass
class _Entry:
    name: str
    kind: Literal["file", "dir", "symlink", "hardlink", "device", "other"]
    size: int
    linkname: str = ""
    compressed: int = 0                      # zip: declared compressed size of this entry
    open: Callable[[], IO[bytes] | None] = lambda: None


class _CountingReader(io.RawIOBase):
    """Counts compressed bytes consumed so that ratio bounds can be judged while streaming."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        n = len(data)
        b[:n] = data
        self.count += n
        return n


class _BoundedReader(_CountingReader):
    """A decompressed stream that stops at the extraction's bounds. Entries a reader skips are
    decompressed all the same (a tar stream has no index), so the bounds count every byte that
    comes out of the decompressor, not only those written: a bomb in a skipped entry costs at
    most the limits' worth of time."""

    def __init__(self, raw: IO[bytes], limits: "Limits", compressed: Callable[[], int]):
        super().__init__(raw)
        self.limits = limits
        self.compressed = compressed

    def readinto(self, b) -> int:  # type: ignore[override]
        try:
            n = super().readinto(b)
        except (zlib.error, lzma.LZMAError) as err:  # what tarfile's own decompression reported
            raise tarfile.ReadError(f"corrupt compressed stream: {err}") from err
        lim = self.limits
        if self.count > lim.max_decompressed_bytes:
            raise LimitExceeded(f"archive decompresses past {lim.max_decompressed_bytes} bytes")
        if self.count > lim.ratio_floor and self.count / max(self.compressed(), 1) > lim.max_ratio:
            raise LimitExceeded(f"archive decompresses more than {lim.max_ratio:.0f}:1: "
                                "stopped as a compression bomb")
        return n


def _decompressed(raw: IO[bytes], container: str, limits: "Limits",
                  compressed: Callable[[], int]) -> IO[bytes]:
    """RAW's decompressed bytes (gzip, bzip2, xz or plain tar), bounded by LIMITS."""
    opener = {"gzip": gzip.GzipFile, "bzip2": bz2.BZ2File, "xz": lzma.LZMAFile}.get(container)
    if opener is None:
        return raw
    stream = opener(fileobj=raw) if opener is gzip.GzipFile else opener(raw)
    return io.BufferedReader(_BoundedReader(stream, limits, compressed), 1 << 16)


def _tar_entries(t: tarfile.TarFile) -> Iterator[_Entry]:
    for m in t:
        if m.isreg():
            kind = "file"
        elif m.isdir():
            kind = "dir"
        elif m.issym():
            kind = "symlink"
        elif m.islnk():
            kind = "hardlink"
        elif m.ischr() or m.isblk() or m.isfifo():
            kind = "device"
        else:
            kind = "other"
        yield _Entry(m.name, kind, m.size, m.linkname,
                     open=(lambda m=m: t.extractfile(m)) if kind == "file" else (lambda: None))


def _zip_entries(z: zipfile.ZipFile) -> Iterator[_Entry]:
    for info in z.infolist():
        mode = info.external_attr >> 16
        if info.is_dir():
            yield _Entry(info.filename, "dir", 0)
            continue
        if stat.S_ISLNK(mode):  # the link target is the entry's content; read it, never create it
            target = z.read(info)[:4096].decode("utf-8", "replace") if info.file_size < 4096 else "?"
            yield _Entry(info.filename, "symlink", 0, target)
            continue
        if mode and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)):
            yield _Entry(info.filename, "device", 0)
            continue
        yield _Entry(info.filename, "file", info.file_size, compressed=info.compress_size,
                     open=lambda info=info: z.open(info))


# ---------------------------------------------------------------------------------------------


class _Extractor:
    def __init__(self, root: Path, limits: Limits, archive_size: int, result: ExtractResult,
                 progress: Progress):
        self.root = root
        self.root_real = os.path.realpath(root)
        self.limits = limits
        self.archive_size = max(archive_size, 1)
        self.result = result
        self.progress = progress
        self.entries = 0
        self.written: dict[str, int] = {}  # rel path -> index in result.files
        self.compressed: Callable[[], int] = lambda: self.archive_size

    def problem(self, kind: str, message: str, path: str | None = None, fatal: bool = True) -> None:
        if len(self.result.problems) < 1000:
            self.result.problems.append(Problem(kind, message, path, fatal))

    def consume(self, entries: Iterator[_Entry], prefix: str = "") -> None:
        for e in entries:
            self.entries += 1
            if self.entries > self.limits.max_entries:
                raise LimitExceeded(f"archive has more than {self.limits.max_entries} entries")
            try:
                rel, not_utf8 = safe_relpath(e.name, self.limits.max_depth)
            except UnsafePath as u:
                self.problem(u.kind, str(u), e.name.encode("utf-8", "backslashreplace").decode())
                continue
            if not rel:
                continue
            rel = prefix + rel
            if not_utf8:
                self.problem("name", "file name is not UTF-8; stored with its bytes as %XX", rel,
                             fatal=False)
            if e.kind == "dir":
                continue
            if e.kind in ("symlink", "hardlink"):
                self.result.links.append(Link(rel, e.linkname, e.kind))  # type: ignore[arg-type]
                self.problem("link", f"{e.kind} to {e.linkname!r} recorded, not followed", rel,
                             fatal=False)
                continue
            if e.kind != "file":
                self.problem("device", f"{e.kind} entry skipped", rel, fatal=False)
                continue
            self._write(e, rel)

    def _target(self, rel: str) -> Path | None:
        dest = self.root / rel
        parent = dest.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError):
            self.problem("conflict", "a file stands where a directory is needed", rel)
            return None
        # Belt and braces: nothing here creates links, but never trust that alone.
        if not os.path.realpath(parent).startswith(self.root_real):
            self.problem("traversal", "resolved outside the extraction root", rel)
            return None
        if dest.is_dir():
            self.problem("conflict", "a directory stands where a file is needed", rel)
            return None
        return dest

    def _write(self, e: _Entry, rel: str) -> None:
        lim = self.limits
        if len(self.result.files) >= lim.max_files and rel not in self.written:
            raise LimitExceeded(f"archive has more than {lim.max_files} files")
        if e.compressed and e.size > lim.ratio_floor and e.size / max(e.compressed, 1) > lim.max_ratio:
            self.problem("ratio", f"entry expands {e.size // max(e.compressed, 1)}:1 "
                         f"(over the {lim.max_ratio:.0f}:1 limit): skipped as a compression bomb", rel)
            return
        if e.size > lim.max_file_bytes:
            self.problem("limit", f"file of {e.size} bytes is over the {lim.max_file_bytes}-byte "
                         "limit: skipped", rel)
            return
        dest = self._target(rel)
        if dest is None:
            return
        src = e.open()
        if src is None:
            self.problem("corrupt", "entry could not be read", rel)
            return
        size = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        fd = os.open(dest, flags, 0o644)
        try:
            with os.fdopen(fd, "wb") as out, src:
                while True:
                    chunk = src.read(1 << 16)
                    if not chunk:
                        break
                    size += len(chunk)
                    self.result.total_bytes += len(chunk)
                    if size > lim.max_file_bytes:
                        raise _SkipFile(f"file grew past the {lim.max_file_bytes}-byte limit: skipped")
                    if self.result.total_bytes > lim.max_total_bytes:
                        raise LimitExceeded(f"archive expands past {lim.max_total_bytes} bytes")
                    if (self.result.total_bytes > lim.ratio_floor and self.result.total_bytes
                            / max(self.compressed(), 1) > lim.max_ratio):
                        raise LimitExceeded(f"archive expands more than {lim.max_ratio:.0f}:1: "
                                            "stopped as a compression bomb")
                    out.write(chunk)
        except _SkipFile as s:
            os.unlink(dest)
            self.result.total_bytes -= size
            self.problem("limit", str(s), rel)
            return
        except LimitExceeded:
            os.unlink(dest)
            raise
        except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, RuntimeError) as err:
            # Truncated stream, bad CRC, encrypted zip entry: keep what came before it.
            try:
                os.unlink(dest)
            except OSError:
                pass
            self.problem("corrupt", f"{type(err).__name__}: {err}", rel)
            raise _StreamBroken() from err
        if rel in self.written:
            self.problem("duplicate", "entry appears twice; the last copy is kept", rel, fatal=False)
            self.result.files[self.written[rel]].size = size
        else:
            self.written[rel] = len(self.result.files)
            self.result.files.append(ExtractedFile(rel, dest, size))
        n = len(self.result.files)
        if n % 2000 == 0:
            self.progress(f"extracted {n} files")


    def keep_extra(self, name: str, data: bytes) -> None:
        """A file that lives beside the root (a .gem's decompressed metadata.gz)."""
        meta_dir = self.root.parent / (self.root.name + ".gem-meta")
        meta_dir.mkdir(exist_ok=True)
        dest = meta_dir / "metadata"
        dest.write_bytes(data)
        self.result.extra.append(ExtractedFile(name, dest, len(data)))


class _HeadReader(_Extractor):
    """The same walk over an archive, keeping the first bytes of wanted files in memory instead
    of writing them: for readers that need the text of some files (the verdict's code rules)."""

    def __init__(self, limits: Limits, archive_size: int, result: ExtractResult,
                 wanted: Callable[[str], bool], head_bytes: int, budget: int, max_heads: int | None):
        super().__init__(result.root, limits, archive_size, result, lambda _m: None)
        self.wanted, self.head_bytes, self.budget, self.max_heads = wanted, head_bytes, budget, max_heads
        self.heads: list[tuple[str, bytes]] = []

    def _write(self, e: _Entry, rel: str) -> None:
        if not self.wanted(rel):
            return
        if len(self.result.files) >= self.limits.max_files:
            raise LimitExceeded(f"archive has more than {self.limits.max_files} files")
        if self.budget <= 0:
            raise LimitExceeded("read budget for file heads spent")
        src = e.open()
        if src is None:
            self.problem("corrupt", "entry could not be read", rel)
            return
        try:
            with src:
                head = src.read(min(self.head_bytes, self.budget))
        except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError, RuntimeError) as err:
            self.problem("corrupt", f"{type(err).__name__}: {err}", rel)
            raise _StreamBroken() from err
        self.budget -= len(head)
        self.result.total_bytes += len(head)
        self.result.files.append(ExtractedFile(rel, self.root, len(head)))  # nothing on disk
        self._keep(rel, head)

    def keep_extra(self, name: str, data: bytes) -> None:
        self._keep(name, data[:self.head_bytes])

    def _keep(self, name: str, head: bytes) -> None:
        self.heads.append((name, head))
        if self.max_heads is not None and len(self.heads) >= self.max_heads:
            raise _Enough()


class _Enough(Exception):
    """The head reader has what it was asked for: the walk ends there."""


class _SkipFile(Exception):
    pass


class _StreamBroken(Exception):
    """The entry stream cannot go on (a zip entry failing is recoverable; see _zip)."""


# ---------------------------------------------------------------------------------------------


def sniff(path: Path) -> str:
    """zip, gzip, bzip2, xz, tar or unknown: by magic bytes, never by file name."""
    with open(path, "rb") as f:
        head = f.read(512)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if head[:2] == b"\x1f\x8b":
        return "gzip"
    if head[:3] == b"BZh":
        return "bzip2"
    if head[:6] == b"\xfd7zXZ\x00":
        return "xz"
    if len(head) >= 262 and head[257:262] == b"ustar":
        return "tar"
    return "unknown"


def extract(archive: Path, root: Path, *, limits: Limits = Limits(),
            progress: Progress = lambda _m: None) -> ExtractResult:
    """Extract ARCHIVE into ROOT (created, must be empty); never raises for a bad archive."""
    root.mkdir(parents=True, exist_ok=True)
    result = ExtractResult(root=root, archive_kind=sniff(archive))
    _walk(archive, _Extractor(root, limits, archive.stat().st_size, result, progress))
    return result


def read_heads(archive: Path, wanted: Callable[[str], bool], *, head_bytes: int, budget: int,
               limits: Limits = Limits(), max_heads: int | None = None
               ) -> tuple[list[tuple[str, bytes]], ExtractResult]:
    """(path, first HEAD_BYTES bytes) of the archive's regular files whose safe relative path
    WANTED accepts (a .gem's decompressed metadata.gz as "metadata.gz"), read in memory under
    the same bounds as extract() and at most BUDGET bytes in all; the walk ends once MAX_HEADS
    were read (a manifest looked for in a tarball). Never raises for a bad archive: the result's
    problems and status say what was refused or cut short."""
    result = ExtractResult(root=Path(os.devnull), archive_kind=sniff(archive))
    reader = _HeadReader(limits, archive.stat().st_size, result, wanted, head_bytes, budget, max_heads)
    try:
        _walk(archive, reader)
    except _Enough:
        pass
    return reader.heads, result


def _walk(archive: Path, ex: _Extractor) -> None:
    container = ex.result.archive_kind
    try:
        if container == "zip":
            _zip(archive, ex)
        elif container in ("gzip", "bzip2", "xz", "tar"):
            _tar(archive, ex, container)
        else:
            ex.problem("format", "not an archive this tool knows (zip, tar, tar.gz, tar.bz2, "
                       "tar.xz, .gem)")
    except LimitExceeded as le:
        ex.problem("limit", f"{le}; extraction stopped, the result is partial")
    except _StreamBroken:
        ex.problem("corrupt", "archive stream is broken (truncated or corrupt); "
                   "the result is partial")
    except (OSError, EOFError, tarfile.TarError, zipfile.BadZipFile, zipfile.LargeZipFile,
            gzip.BadGzipFile, lzma.LZMAError, ValueError, RuntimeError) as err:
        ex.problem("corrupt", f"archive is truncated or corrupt ({type(err).__name__}: {err}); "
                   "the result is partial")


def _zip(archive: Path, ex: _Extractor) -> None:
    with zipfile.ZipFile(archive) as z:
        consumed = [0]
        ex.compressed = lambda: consumed[0]
        for e in _zip_entries(z):
            consumed[0] += e.compressed
            try:
                ex.consume(iter([e]))
            except _StreamBroken:
                # The central directory is intact: one broken entry does not lose the others.
                continue


def _tar(archive: Path, ex: _Extractor, container: str) -> None:
    with open(archive, "rb") as raw:
        counter = _CountingReader(raw)
        ex.compressed = lambda: counter.count
        buffered = io.BufferedReader(counter, 1 << 16)
        if container == "tar" and _is_gem(archive):
            ex.result.archive_kind = "gem"
            _gem(buffered, ex)
            return
        stream = _decompressed(buffered, container, ex.limits, ex.compressed)
        with tarfile.open(fileobj=stream, mode="r|", errors="surrogateescape") as t:
            ex.consume(_tar_entries(t))


def gunzip_head(stream: IO[bytes], limit: int) -> tuple[bytes, bool]:
    """The first `limit` decompressed bytes of a gzip stream and whether that was all of it: a
    small gzip bomb costs `limit` bytes of memory and time, never its expanded size."""
    with gzip.GzipFile(fileobj=stream) as g:
        data = g.read(limit + 1)
    return data[:limit], len(data) <= limit


def _is_gem(archive: Path) -> bool:
    try:
        with tarfile.open(archive, "r:") as t:
            names = []
            for m in t:
                names.append(m.name)
                if len(names) > 8:
                    break
    except (tarfile.TarError, OSError, EOFError):
        return False
    return "data.tar.gz" in names and "metadata.gz" in names


def _gem(stream: IO[bytes], ex: _Extractor) -> None:
    """A .gem is a plain tar of metadata.gz (the YAML spec), data.tar.gz (the files), checksums."""
    with tarfile.open(fileobj=stream, mode="r|", errors="surrogateescape") as outer:
        for m in outer:
            if m.name == "data.tar.gz" and m.isreg():
                inner_raw = outer.extractfile(m)
                if inner_raw is None:
                    continue
                try:
                    inner_stream = _decompressed(inner_raw, "gzip", ex.limits, ex.compressed)
                    with tarfile.open(fileobj=inner_stream, mode="r|",
                                      errors="surrogateescape") as inner:
                        ex.consume(_tar_entries(inner))
                except _StreamBroken:
                    raise
                except (OSError, EOFError, tarfile.TarError) as err:
                    ex.problem("corrupt", f"data.tar.gz is truncated or corrupt "
                               f"({type(err).__name__}: {err})", "data.tar.gz")
            elif m.name == "metadata.gz" and m.isreg():
                f = outer.extractfile(m)
                if f is None:
                    continue
                try:
                    text, whole = gunzip_head(f, ex.limits.max_metadata_bytes)
                except (OSError, EOFError, zlib.error) as err:
                    ex.problem("corrupt", f"metadata.gz unreadable ({err})", "metadata.gz")
                    continue
                if not whole:  # its head still counts: padding must not hide the spec it leads
                    ex.problem("limit", "metadata.gz expands past "
                               f"{ex.limits.max_metadata_bytes} bytes: its head kept", "metadata.gz")
                ex.keep_extra("metadata.gz", text)
