"""Archive builders for verdict tests: a PyPI sdist with PKG-INFO, and re-exports of the others.

TEST FIXTURES, NOT MALWARE: the "malicious" snippets reproduce known attack patterns as text for
the static rules; nothing here is ever run outside the sandbox, and their addresses are
reserved example names or the simulator's.
"""

from __future__ import annotations

from static.builders import composer_bytes, crate_bytes, gem_bytes, npm_bytes, tar_bytes  # noqa: F401


def sdist(name: str, files: dict[str, str], version: str = "1.0.0",
          summary: str = "Utilities for parsing and formatting things", headers: str = "",
          binary: dict[str, bytes] | None = None) -> bytes:
    """HEADERS: more PKG-INFO lines; BINARY: files given as bytes."""
    base = f"{name.replace('-', '_')}-{version}"
    info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n{headers}\n"
    return tar_bytes({f"{base}/PKG-INFO": info.encode(),
                      **{f"{base}/{p}": t.encode() for p, t in files.items()},
                      **{f"{base}/{p}": b for p, b in (binary or {}).items()}})


def npm(name: str, files: dict[str, str], scripts: dict | None = None, version: str = "1.0.0",
        description: str = "A small utility library", extra: dict | None = None,
        binary: dict[str, bytes] | None = None) -> bytes:
    """EXTRA: more package.json fields; BINARY: files given as bytes."""
    import json
    pkg = {"name": name, "version": version, "description": description, "main": "index.js",
           "scripts": scripts or {}, **(extra or {})}
    return tar_bytes({"package/package.json": json.dumps(pkg).encode(),
                      **{f"package/{p}": t.encode() for p, t in files.items()},
                      **{f"package/{p}": b for p, b in (binary or {}).items()}})


def elf(kind: int = 2) -> bytes:
    """The header of an x86-64 ELF file, enough for libmagic: KIND 2 a program, 3 a library."""
    import struct
    return b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHI", kind, 0x3E, 1) + b"\x00" * 200
