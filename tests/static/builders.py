"""Archive bytes for fixtures, in each registry's real layout (used where no build tool runs)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import time
import zipfile


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
              extensions: list[str] = ()) -> bytes:
    """A .gem as `gem build` lays it out: metadata.gz (YAML spec), data.tar.gz, checksums."""
    ext = "extensions:\n" + "".join(f"- {e}\n" for e in extensions) if extensions else \
        "extensions: []\n"
    spec = (f"--- !ruby/object:Gem::Specification\nname: {name}\nversion: !ruby/object:Gem::Version\n"
            f"  version: {version}\nplatform: ruby\nauthors:\n- pkgtrace\n{ext}"
            "files:\n" + "".join(f"- {f}\n" for f in files) + "summary: fixture\n")
    data = tar_bytes(files, "gz")
    return tar_bytes({"metadata.gz": gzip.compress(spec.encode()), "data.tar.gz": data,
                      "checksums.yaml.gz": gzip.compress(b"---\n")}, compress="")


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
