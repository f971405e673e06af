"""npm: the registry's package documents (packuments) and tarballs."""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from urllib.parse import quote

from pkgtrace.ecosystems import http
from pkgtrace.ecosystems.interface import RegistryError, ReleaseHistory, as_of, read_manifests
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.layout import driver as guest_driver

# The abbreviated document carries versions and dist info, a fraction of the full packument.
_ABBREVIATED = {"Accept": "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8"}


def base_url() -> str:
    return os.environ.get("PKGTRACE_NPM_URL", "https://registry.npmjs.org").rstrip("/")


class Npm:
    ecosystem = Ecosystem.NPM

    def _packument(self, name: str) -> dict:
        # Scoped names keep their '@' but escape the '/', as the npm client does.
        return http.get_json(f"{base_url()}/{quote(name, safe='@')}", headers=_ABBREVIATED)

    def history(self, name: str, version: str) -> ReleaseHistory:
        versions = self._packument(name).get("versions") or {}
        order, previous = as_of(list(versions), version)  # the packument lists them as published
        hook = bool((versions.get(previous) or {}).get("hasInstallScript")) if previous else None
        return ReleaseHistory(len(order), previous_version=previous, previous_had_install_hook=hook)

    def _version_doc(self, name: str, version: str | None) -> dict:
        doc = self._packument(name)
        versions = doc.get("versions")
        if not isinstance(versions, dict) or not versions:
            raise RegistryError(f"npm has no versions of {name}")
        if version is None:
            version = (doc.get("dist-tags") or {}).get("latest")
            if not isinstance(version, str):
                raise RegistryError(f"npm has no 'latest' tag for {name}")
        v = versions.get(version)
        if not isinstance(v, dict):
            raise RegistryError(f"npm has no version {version} of {name}")
        return v

    def resolve(self, name: str, version: str | None = None) -> Package:
        v = self._version_doc(name, version)
        return Package(Ecosystem.NPM, v.get("name") or name, v["version"])

    def download(self, package: Package, dest: Path) -> Artifact:
        dist = self._version_doc(package.name, package.version).get("dist") or {}
        url = dist.get("tarball")
        if not isinstance(url, str):
            raise RegistryError(f"{package}: no tarball in the registry document")
        algorithm, digest = _integrity(dist)
        filename = f"{package.name.replace('/', '-').lstrip('@')}-{package.version}.tgz"
        path = http.download(url, dest / filename, algorithm=algorithm, digest=digest)
        return Artifact.from_file(package, path, url=url)

    def sandbox_phases(self, package: Package, guest_artifact: str) -> list[tuple[str, list[str]]]:
        """The commands each phase runs inside the sandbox (see sandbox/guest/npm.js)."""
        driver = guest_driver("npm.js")
        return [("install", [*driver, "install", guest_artifact]),
                ("import", [*driver, "import", package.name]),
                ("execute", guest_driver("npm_execute.py", package.name))]

    def identify_local(self, path: Path) -> Package:
        [(_, head)] = read_manifests(path, lambda n: n.count("/") == 1 and n.endswith("/package.json"),
                                     "package/package.json")
        try:
            meta = json.loads(head)
        except ValueError as e:
            raise RegistryError(f"{path}: package.json is not JSON: {e}") from e
        if isinstance(meta, dict) and isinstance(meta.get("name"), str) and isinstance(meta.get("version"), str):
            return Package(Ecosystem.NPM, meta["name"], meta["version"])
        raise RegistryError(f"{path}: package.json has no name and version")


def _integrity(dist: dict) -> tuple[str | None, str | bytes | None]:
    """The strongest digest npm publishes: SRI sha512 (raw bytes), else the legacy sha1 hex."""
    sri = dist.get("integrity")
    if isinstance(sri, str):
        for part in sri.split():
            algo, _, b64 = part.partition("-")
            if algo == "sha512":
                try:
                    return "sha512", base64.b64decode(b64)
                except ValueError:
                    raise RegistryError("malformed integrity field") from None
    if isinstance(dist.get("shasum"), str):
        return "sha1", dist["shasum"]
    return None, None
