"""PyPI: the JSON API (https://docs.pypi.org/api/json/) for resolution and downloads."""

from __future__ import annotations

import os
import tarfile
import zipfile
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import urljoin

from packaging.utils import (InvalidSdistFilename, InvalidWheelFilename, canonicalize_name,
                             parse_sdist_filename, parse_wheel_filename)

from pkgtrace.ecosystems import http
from pkgtrace.ecosystems.interface import RegistryError
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.layout import driver as guest_driver

# Wheels the sandbox (CPython 3.11, x86_64 glibc) can install; anything else means the sdist.
_SANDBOX_TAGS = ("py3-none-any", "py2.py3-none-any", "cp311-cp311-manylinux", "cp311-abi3-manylinux",
                 "cp37-abi3-manylinux", "cp38-abi3-manylinux", "cp39-abi3-manylinux")


def base_url() -> str:
    return os.environ.get("PKGTRACE_PYPI_URL", "https://pypi.org").rstrip("/")


class PyPI:
    ecosystem = Ecosystem.PYPI

    def _files(self, name: str, version: str | None) -> tuple[str, str, list[dict]]:
        """(name, version, files) from the project document; `releases` lists every version's
        files there. The per-version endpoint is the fallback, for mirrors that omit `releases`."""
        doc = http.get_json(f"{base_url()}/pypi/{name}/json")
        info = doc.get("info") or {}
        version = version or info.get("version")
        if not isinstance(version, str):
            raise RegistryError(f"PyPI answered no version for {name}")
        releases = doc.get("releases")
        if isinstance(releases, dict):
            if version not in releases:
                raise RegistryError(f"PyPI has no version {version} of {name}")
            files = releases[version]
        else:
            files = http.get_json(f"{base_url()}/pypi/{name}/{version}/json").get("urls")
        if not isinstance(files, list):
            raise RegistryError(f"PyPI answered no file list for {name} {version}")
        return str(info.get("name") or name), version, files

    def resolve(self, name: str, version: str | None = None) -> Package:
        real_name, version, _ = self._files(name, version)
        return Package(Ecosystem.PYPI, real_name, version)

    def download(self, package: Package, dest: Path) -> Artifact:
        _, _, urls = self._files(package.name, package.version)
        if not urls:
            raise RegistryError(f"{package} has no files on PyPI")
        chosen = pick_file(urls)
        filename = os.path.basename(chosen["filename"])
        # Mirrors may list file URLs relative to the project document.
        url = urljoin(f"{base_url()}/pypi/{package.name}/json", chosen["url"])
        path = http.download(url, dest / filename, algorithm="sha256",
                             digest=(chosen.get("digests") or {}).get("sha256"))
        return Artifact.from_file(package, path, url=url)

    def sandbox_phases(self, package: Package, guest_artifact: str) -> list[tuple[str, list[str]]]:
        """The commands each phase runs inside the sandbox (see sandbox/guest/pypi.py)."""
        driver = guest_driver("pypi.py")
        return [("install", [*driver, "install", guest_artifact]),
                ("import", [*driver, "import", package.name]),
                ("execute", [*driver, "execute", package.name])]

    def identify_local(self, path: Path) -> Package:
        name, version = identify_file(path)
        return Package(Ecosystem.PYPI, name, version)


def pick_file(urls: list[dict]) -> dict:
    """Prefer a wheel the sandbox would install itself; else the sdist; else anything."""
    files = [u for u in urls if isinstance(u, dict) and u.get("url") and u.get("filename")
             and not u.get("yanked")] or [u for u in urls if isinstance(u, dict) and u.get("url")]
    if not files:
        raise RegistryError("PyPI listed no downloadable files")
    for f in files:
        if f["filename"].endswith(".whl") and any(t in f["filename"] for t in _SANDBOX_TAGS):
            return f
    for f in files:
        if f.get("packagetype") == "sdist":
            return f
    return files[0]


def identify_file(path: Path) -> tuple[str, str]:
    """(name, version) of a wheel or sdist, from its file name, else from its PKG-INFO/METADATA."""
    fn = path.name
    try:
        if fn.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(fn)
            return str(name), str(version)
        name, version = parse_sdist_filename(fn)
        return str(name), str(version)
    except (InvalidWheelFilename, InvalidSdistFilename):
        pass
    meta = _read_metadata(path)
    if meta and meta.get("Name") and meta.get("Version"):
        return str(canonicalize_name(meta["Name"])), meta["Version"]
    raise RegistryError(f"cannot tell the name and version of {path}: "
                        "not a wheel/sdist file name and no PKG-INFO inside")


def _read_metadata(path: Path) -> dict[str, str] | None:
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                for n in z.namelist():
                    if n.endswith(("PKG-INFO", ".dist-info/METADATA")) and n.count("/") <= 2:
                        return dict(HeaderParser().parsestr(z.read(n)[:1 << 20].decode("utf-8", "replace")))
        elif tarfile.is_tarfile(path):
            with tarfile.open(path) as t:
                for m in t:
                    if m.isfile() and m.name.endswith("PKG-INFO") and m.name.count("/") <= 1:
                        f = t.extractfile(m)
                        if f:
                            return dict(HeaderParser().parsestr(f.read(1 << 20).decode("utf-8", "replace")))
    except (OSError, tarfile.TarError, zipfile.BadZipFile, EOFError):
        return None
    return None
