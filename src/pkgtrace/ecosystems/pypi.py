"""PyPI: the JSON API (https://docs.pypi.org/api/json/) for resolution and downloads."""

from __future__ import annotations

import os
from email.parser import HeaderParser
from pathlib import Path
from urllib.parse import quote, urljoin

from packaging.tags import Tag, compatible_tags, cpython_tags
from packaging.utils import (InvalidSdistFilename, InvalidWheelFilename, canonicalize_name,
                             parse_sdist_filename, parse_wheel_filename)

from pkgtrace.ecosystems import http
from pkgtrace.ecosystems.interface import RegistryError, ReleaseHistory, as_of, read_manifests
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.layout import driver as guest_driver

# The tags of wheels the guest (CPython 3.11, x86_64, glibc 2.36: Debian bookworm) installs, in
# pip's order of preference. Computed for the guest, not for the host running pkgtrace; a name
# test ("manylinux" in the file name) would take an aarch64 or ppc64le wheel that pip then refuses.
_GUEST_PYTHON = (3, 11)
_GUEST_GLIBC_MINOR = 36
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}


def _guest_platforms() -> list[str]:
    out = []
    for minor in range(_GUEST_GLIBC_MINOR, 4, -1):
        out.append(f"manylinux_2_{minor}_x86_64")
        if minor in _LEGACY_MANYLINUX:
            out.append(f"{_LEGACY_MANYLINUX[minor]}_x86_64")
    return out + ["linux_x86_64"]


_GUEST_TAGS: dict[Tag, int] = {}
for _t in (*cpython_tags(_GUEST_PYTHON, abis=["cp311"], platforms=_guest_platforms()),
           *compatible_tags(_GUEST_PYTHON, "cp311", _guest_platforms())):
    _GUEST_TAGS.setdefault(_t, len(_GUEST_TAGS))


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

    def history(self, name: str, version: str) -> ReleaseHistory:
        doc = http.get_json(f"{base_url()}/pypi/{quote(name)}/json")
        releases = {v: files for v, files in (doc.get("releases") or {}).items() if files}
        times = {v: min(f.get("upload_time_iso_8601") or "" for f in files) for v, files in releases.items()}
        order, previous = as_of(sorted(times, key=lambda v: times[v]), version)
        return ReleaseHistory(len(order), first_release=times[order[0]] if order else None,
                              release_time=times.get(version), previous_version=previous,
                              summary=(doc.get("info") or {}).get("summary"))


def pick_file(urls: list[dict]) -> dict:
    """The wheel the guest's pip would choose among those it can install; else the sdist; else
    anything (pip then fails and the install fallback unpacks the source)."""
    files = [u for u in urls if isinstance(u, dict) and u.get("url") and u.get("filename")
             and not u.get("yanked")] or [u for u in urls if isinstance(u, dict) and u.get("url")]
    if not files:
        raise RegistryError("PyPI listed no downloadable files")
    ranked = sorted((rank, i) for i, f in enumerate(files)
                    if (rank := _guest_rank(f["filename"])) is not None)
    if ranked:
        return files[ranked[0][1]]
    for f in files:
        if f.get("packagetype") == "sdist" or f["filename"].endswith((".tar.gz", ".zip")):
            return f
    return files[0]


def _guest_rank(filename: str) -> int | None:
    """The guest's preference for a wheel (lower is better), None when it cannot install it."""
    if not filename.endswith(".whl"):
        return None
    try:
        _, _, _, tags = parse_wheel_filename(os.path.basename(filename))
    except InvalidWheelFilename:
        return None
    ranks = [_GUEST_TAGS[t] for t in tags if t in _GUEST_TAGS]
    return min(ranks) if ranks else None


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
        [(_, head)] = read_manifests(path, lambda n: n.endswith(("PKG-INFO", ".dist-info/METADATA"))
                                     and n.count("/") <= 2, "PKG-INFO")
    except RegistryError:
        return None
    return dict(HeaderParser().parsestr(head.decode("utf-8", "replace")))
