"""Archive bytes for fixtures, in each registry's real layout (used where no build tool runs)."""

from __future__ import annotations

import gzip
import io
import itertools
import json
import tarfile
import time
import zipfile
import zlib
from typing import Iterable


def tar_bytes(files: dict[str, bytes], compress: str = "gz", *, extra=None) -> bytes:
    """A tar(.gz) of FILES; EXTRA(tar) may add hostile members before it is closed."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=f"w:{compress}" if compress else "w",
                      format=tarfile.GNU_FORMAT, encoding="utf-8",
                      errors="surrogateescape") as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = int(time.time())
            info.mode = 0o644
            t.addfile(info, io.BytesIO(data))
        if extra:
            extra(t)
    return buf.getvalue()


def zip_bytes(files: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def gem_bytes(name: str, version: str, files: dict[str, bytes],
              extensions: list[str] = (), spec_tail: Iterable[bytes] = ()) -> bytes:
    """A .gem as `gem build` lays it out: metadata.gz (YAML spec), data.tar.gz, checksums.
    SPEC_TAIL's chunks follow the spec in metadata.gz, compressed as they come (a bomb's
    expanded size is never held)."""
    ext = "extensions:\n" + "".join(f"- {e}\n" for e in extensions) if extensions else \
        "extensions: []\n"
    spec = (f"--- !ruby/object:Gem::Specification\nname: {name}\nversion: !ruby/object:Gem::Version\n"
            f"  version: {version}\nplatform: ruby\nauthors:\n- pkgtrace\n{ext}"
            "files:\n" + "".join(f"- {f}\n" for f in files) + "summary: fixture\n")
    data = tar_bytes(files, "gz")
    gz = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip member
    metadata = b"".join(gz.compress(c) for c in (spec.encode(), *spec_tail)) + gz.flush()
    return tar_bytes({"metadata.gz": metadata, "data.tar.gz": data,
                      "checksums.yaml.gz": gzip.compress(b"---\n")}, compress="")


def oversized_spec_tail(kind: str) -> Iterable[bytes]:
    """What expands a gem's metadata.gz past Limits.max_metadata_bytes (4 MiB) after its spec:
    6 MiB of YAML comment lines ("padding"), or 200 MiB of zeros ("bomb"), 1 MiB at a time."""
    chunk = (b"#" * 1023 + b"\n") * 1024 if kind == "padding" else bytes(1 << 20)
    return itertools.repeat(chunk, 6 if kind == "padding" else 200)


def crate_bytes(name: str, version: str, files: dict[str, bytes]) -> bytes:
    manifest = (f'[package]\nname = "{name}"\nversion = "{version}"\nedition = "2021"\n').encode()
    return tar_bytes({f"{name}-{version}/Cargo.toml": manifest,
                      **{f"{name}-{version}/{p}": d for p, d in files.items()}})


def npm_bytes(name: str, version: str, files: dict[str, bytes], scripts: dict | None = None) -> bytes:
    pkg = {"name": name, "version": version, "scripts": scripts or {}}
    return tar_bytes({"package/package.json": json.dumps(pkg).encode(),
                      **{f"package/{p}": d for p, d in files.items()}})


def composer_bytes(name: str, files: dict[str, bytes], doc: dict | None = None,
                   top: str = "") -> bytes:
    meta = {"name": name, "type": "library", **(doc or {})}
    return zip_bytes({f"{top}composer.json": json.dumps(meta).encode(),
                      **{f"{top}{p}": d for p, d in files.items()}})
