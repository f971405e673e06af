"""Constants and helpers the web tests share (a module of its own: `conftest` is ambiguous on sys.path)."""

from __future__ import annotations

import io
import socket
import tarfile
from pathlib import Path

TOKEN = "test-token-0123456789"
MAX_UPLOAD = 256 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_sdist(path: Path, name: str = "demo-upload", version: str = "0.1.0", extra: dict | None = None) -> Path:
    """A small real sdist (tar.gz with PKG-INFO and setup.py)."""
    files = {f"{name}-{version}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{name}-{version}/setup.py": "from setuptools import setup\nsetup(name=%r, version=%r)\n" % (name, version),
             f"{name}-{version}/demo/__init__.py": "import os\nURL = 'http://example.invalid/x'\n"}
    files.update(extra or {})
    with tarfile.open(path, "w:gz") as t:
        for n, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return path
