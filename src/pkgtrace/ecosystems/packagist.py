"""Packagist: Composer v2 metadata (p2/VENDOR/NAME.json) and the dist archives it points at.

The p2 document is "minified": each version lists only the keys that changed from the one before
it (newest first), and "__unset" removes a key; expand_minified undoes that, as Composer does.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from packaging.version import InvalidVersion, Version

from pkgtrace.ecosystems import http
from pkgtrace.ecosystems.interface import RegistryError, read_manifests
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.layout import driver as guest_driver

_NAME = re.compile(r"^[a-z0-9]([_.-]?[a-z0-9]+)*/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$")


def base_url() -> str:
    return os.environ.get("PKGTRACE_PACKAGIST_URL", "https://repo.packagist.org").rstrip("/")


def expand_minified(versions: list) -> list[dict]:
    out: list[dict] = []
    prev: dict = {}
    for v in versions:
        if not isinstance(v, dict):
            continue
        cur = dict(prev)
        for k, val in v.items():
            if val == "__unset":
                cur.pop(k, None)
            else:
                cur[k] = val
        out.append(cur)
        prev = cur
    return out


def _stable(v: dict) -> bool:
    norm = str(v.get("version_normalized") or v.get("version") or "")
    return not re.search(r"(?i)(dev|alpha|beta|rc|patch)", norm.split("-", 1)[1] if "-" in norm
                         else "") and not norm.startswith("dev-")


def _sort_key(v: dict):
    try:
        return Version(str(v.get("version_normalized") or v.get("version")).lstrip("vV"))
    except InvalidVersion:
        return Version("0")


class Packagist:
    ecosystem = Ecosystem.PACKAGIST

    def _versions(self, name: str) -> list[dict]:
        name = name.lower()
        if not _NAME.match(name):
            raise RegistryError(f"{name!r} is not a Composer package name (vendor/name)")
        doc = http.get_json(f"{base_url()}/p2/{name}.json")
        pkgs = doc.get("packages")
        versions = pkgs.get(name) if isinstance(pkgs, dict) else None
        if not isinstance(versions, list) or not versions:
            raise RegistryError(f"Packagist has no versions of {name}")
        if doc.get("minified") == "composer/2.0":
            versions = expand_minified(versions)
        return [v for v in versions if isinstance(v, dict) and isinstance(v.get("version"), str)]

    def _pick(self, name: str, version: str | None) -> dict:
        versions = self._versions(name)
        if version is None:
            stable = [v for v in versions if _stable(v)] or versions
            return max(stable, key=_sort_key)
        for v in versions:
            if version in (v.get("version"), v.get("version_normalized")) or \
                    v.get("version", "").lstrip("vV") == version.lstrip("vV"):
                return v
        raise RegistryError(f"Packagist has no version {version} of {name}")

    def resolve(self, name: str, version: str | None = None) -> Package:
        v = self._pick(name, version)
        return Package(Ecosystem.PACKAGIST, name.lower(), v["version"])

    def download(self, package: Package, dest: Path) -> Artifact:
        v = self._pick(package.name, package.version)
        dist = v.get("dist")
        if not isinstance(dist, dict) or not isinstance(dist.get("url"), str):
            raise RegistryError(f"{package}: no dist archive in the Packagist metadata")
        if dist.get("type") not in (None, "zip"):
            raise RegistryError(f"{package}: dist type {dist.get('type')!r} is not supported")
        shasum = dist.get("shasum") or None  # sha1 of the zip; usually empty for GitHub dists
        filename = f"{package.name.replace('/', '-')}-{package.version}.zip"
        path = http.download(dist["url"], dest / filename, algorithm="sha1" if shasum else None,
                             digest=shasum)
        return Artifact.from_file(package, path, url=dist["url"])

    def sandbox_phases(self, package: Package, guest_artifact: str) -> list[tuple[str, list[str]]]:
        """The commands each phase runs inside the sandbox (see sandbox/guest/composer.py)."""
        driver = guest_driver("composer.py")
        return [("install", [*driver, "install", guest_artifact, package.name, package.version]),
                ("import", [*driver, "import", package.name]),
                ("execute", [*driver, "execute", package.name])]

    def identify_local(self, path: Path) -> Package:
        found = read_manifests(path, lambda n: n.endswith("composer.json") and n.count("/") <= 1,
                               "composer.json", first=False)
        try:  # the root's, before one a folder down (a GitHub zipball's)
            meta = json.loads(min(found, key=lambda h: h[0].count("/"))[1])
        except ValueError as e:
            raise RegistryError(f"{path}: composer.json is not JSON: {e}") from e
        name = meta.get("name") if isinstance(meta, dict) else None
        if not isinstance(name, str):
            raise RegistryError(f"{path}: composer.json has no name")
        version = meta.get("version")
        if not isinstance(version, str):
            m = re.search(r"-v?(\d+(?:\.\d+)*(?:[-.][\w.]+)?)\.zip$", path.name)
            version = m.group(1) if m else "0.0.0-local"
        return Package(Ecosystem.PACKAGIST, name.lower(), version)

    def history(self, name: str, version: str) -> None:
        return None  # the metadata rules' history is read from PyPI and npm only, so far
