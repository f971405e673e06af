"""What the simulator answers a request that goes nowhere: a plausible, harmless server.

A small 200 for ordinary requests; for what looks like a download, a placeholder of the kind
asked for (a script that only prints, an empty archive, a do-nothing executable), so that the
package takes its next step (write, unpack, chmod, run) where the trace can see it.
"""

from __future__ import annotations

import gzip
import io
import struct
import tarfile
import zipfile
from dataclasses import dataclass

MARK = "ok"  # what a fetched file says: nothing in it names the analyser (a package may look)


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes
    kind: str  # "ok" | "placeholder:<what>"


def _tiny_elf() -> bytes:
    """A 64-bit Linux executable that exits 0: mov edi,0; mov eax,60; syscall."""
    code = b"\xbf\x00\x00\x00\x00\xb8\x3c\x00\x00\x00\x0f\x05"
    base, ehsize, phsize = 0x400000, 64, 56
    entry = base + ehsize + phsize
    ehdr = (b"\x7fELF\x02\x01\x01" + b"\x00" * 9
            + struct.pack("<HHIQQQIHHHHHH", 2, 0x3E, 1, entry, ehsize, 0, 0, ehsize, phsize, 1, 0, 0, 0))
    size = ehsize + phsize + len(code)
    phdr = struct.pack("<IIQQQQQQ", 1, 5, 0, base, base, size, size, 0x1000)
    return ehdr + phdr + code


def _empty_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", MARK + "\n")
    return buf.getvalue()


def _empty_tgz() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = (MARK + "\n").encode()
        info = tarfile.TarInfo("README.txt")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


_BY_SUFFIX: list[tuple[tuple[str, ...], str, bytes]] = [
    ((".sh", ".bash", ".zsh"), "text/x-shellscript", f"#!/bin/sh\necho '{MARK}'\n".encode()),
    ((".py", ".pyw"), "text/x-python", f"print('{MARK}')\n".encode()),
    ((".js", ".mjs", ".cjs"), "application/javascript", f"console.log('{MARK}');\n".encode()),
    ((".rb",), "text/x-ruby", f"puts '{MARK}'\n".encode()),
    ((".php",), "text/x-php", f"<?php echo '{MARK}';\n".encode()),
    ((".ps1", ".bat", ".cmd", ".vbs"), "text/plain", f"echo {MARK}\r\n".encode()),
    ((".exe", ".dll", ".scr"), "application/octet-stream", b"MZ" + b"\x00" * 62),
    ((".zip", ".jar", ".whl", ".nupkg"), "application/zip", _empty_zip()),
    ((".tar.gz", ".tgz"), "application/gzip", _empty_tgz()),
    ((".gz",), "application/gzip", gzip.compress(f"{MARK}\n".encode(), mtime=0)),
    ((".json",), "application/json", b"{}"),
    ((".bin", ".elf", ".so", ".out", ".x86_64", ".amd64", ".run"), "application/octet-stream", _tiny_elf()),
]


def answer(method: str, target: str) -> Answer:
    path = target.split("?", 1)[0].lower()
    if method in ("GET", "HEAD"):
        for suffixes, ctype, body in _BY_SUFFIX:
            if path.endswith(suffixes):
                return Answer(200, ctype, b"" if method == "HEAD" else body,
                              f"placeholder:{suffixes[0].lstrip('.')}")
    body = b"" if method == "HEAD" else b'{"ok":true}\n'
    return Answer(200, "application/json", body, "ok")
