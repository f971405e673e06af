"""Build package archives for tests from small source trees, without any packaging tool.

Real tools (python -m build, npm pack) make the same shapes; these builders keep the tests
independent of what is installed and make hostile variants easy.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "packages"


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def pypi_sdist(dest: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A setup.py sdist: NAME-VERSION/{PKG-INFO, files…}."""
    dest.mkdir(parents=True, exist_ok=True)
    base = f"{name.replace('-', '_')}-{version}"
    path = dest / f"{base}.tar.gz"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: pkgtrace test fixture\n"
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, f"{base}/PKG-INFO", pkg_info.encode())
        for rel, text in files.items():
            _add(tar, f"{base}/{rel}", text.encode())
    return path


def npm_tgz(dest: Path, files: dict[str, str]) -> Path:
    """An npm tarball: package/{package.json, files…}."""
    dest.mkdir(parents=True, exist_ok=True)
    meta = json.loads(files["package.json"])
    path = dest / f"{meta['name'].lstrip('@').replace('/', '-')}-{meta['version']}.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for rel, text in files.items():
            _add(tar, f"package/{rel}", text.encode())
    return path


def setup_py_package(dest: Path, name: str, setup_body: str, init_body: str = "",
                     version: str = "1.0.0") -> Path:
    """An sdist whose setup.py runs SETUP_BODY before calling setup()."""
    mod = name.replace("-", "_")
    setup = (f"{setup_body}\n\nfrom setuptools import setup\n"
             f"setup(name={name!r}, version={version!r}, packages=[{mod!r}])\n")
    return pypi_sdist(dest, name, version, {"setup.py": setup, f"{mod}/__init__.py": init_body})


def behaviour_pypi(dest: Path) -> Path:
    src = FIXTURES / "pypi_behaviour"
    return pypi_sdist(dest, "pkgtrace-fixture-behaviour", "1.0.0", {
        "setup.py": (src / "setup.py").read_text(),
        "pkgtrace_fixture_behaviour/payload.py": (src / "payload.py").read_text(),
        # connect() fires only when called: the execute phase must find and call it
        "pkgtrace_fixture_behaviour/__init__.py": ("from . import payload\npayload.run('import')\n\n\n"
                                                   "def connect(host):\n    payload.run('execute')\n"),
    })


def behaviour_npm(dest: Path) -> Path:
    src = FIXTURES / "npm_behaviour"
    return npm_tgz(dest, {p.name: p.read_text() for p in src.iterdir()})
