"""crates.io: the JSON API for resolution and checksums, /api/v1/crates/NAME/VER/download for files.

GET /api/v1/crates/NAME -> {"crate": {"max_stable_version", "max_version", ...},
                            "versions": [{"num", "checksum" (sha256), "yanked", "dl_path"}, ...]}
"""

from __future__ import annotations

import os
import re
import tomllib
from pathlib import Path
from urllib.parse import quote

from pkgtrace.ecosystems import http
from pkgtrace.ecosystems.interface import RegistryError, read_manifests
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.layout import driver as guest_driver

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def base_url() -> str:
    return os.environ.get("PKGTRACE_CRATES_URL", "https://crates.io").rstrip("/")


class Crates:
    ecosystem = Ecosystem.CRATES

    def _doc(self, name: str) -> dict:
        if not _NAME.match(name):
            raise RegistryError(f"{name!r} is not a crate name")
        return http.get_json(f"{base_url()}/api/v1/crates/{quote(name)}")

    def _version(self, name: str, version: str | None) -> tuple[str, dict]:
        doc = self._doc(name)
        crate = doc.get("crate") if isinstance(doc.get("crate"), dict) else {}
        versions = [v for v in doc.get("versions") or [] if isinstance(v, dict)]
        if version is None:
            version = crate.get("max_stable_version") or crate.get("max_version") or \
                crate.get("newest_version")
            if not isinstance(version, str):
                live = [v for v in versions if not v.get("yanked")]
                if not live:
                    raise RegistryError(f"crates.io has no releases of {name}")
                version = live[0]["num"]
        for v in versions:
            if v.get("num") == version:
                return crate.get("name") or name, v
        raise RegistryError(f"crates.io has no version {version} of {name}")

    def resolve(self, name: str, version: str | None = None) -> Package:
        real, v = self._version(name, version)
        return Package(Ecosystem.CRATES, real, v["num"])

    def download(self, package: Package, dest: Path) -> Artifact:
        _, v = self._version(package.name, package.version)
        dl = v.get("dl_path") or f"/api/v1/crates/{package.name}/{package.version}/download"
        url = dl if dl.startswith("http") else base_url() + dl
        checksum = v.get("checksum")
        path = http.download(url, dest / f"{package.name}-{package.version}.crate",
                             algorithm="sha256" if checksum else None,
                             digest=checksum if isinstance(checksum, str) else None)
        return Artifact.from_file(package, path, url=url)

    def sandbox_phases(self, package: Package, guest_artifact: str) -> list[tuple[str, list[str]]]:
        """The commands each phase runs inside the sandbox (see sandbox/guest/crates.py). Rust has
        no code that runs on import or a reflective way to call a crate's API: no execute phase."""
        driver = guest_driver("crates.py")
        return [("install", [*driver, "install", guest_artifact, package.name, package.version]),
                ("import", [*driver, "import"])]

    def identify_local(self, path: Path) -> Package:
        [(_, head)] = read_manifests(path, lambda n: n.count("/") == 1 and n.endswith("/Cargo.toml"),
                                     "NAME-VERSION/Cargo.toml")
        try:
            pkg = tomllib.loads(head.decode("utf-8", "replace")).get("package")
        except tomllib.TOMLDecodeError as e:
            raise RegistryError(f"{path}: Cargo.toml is not TOML: {e}") from e
        if isinstance(pkg, dict) and isinstance(pkg.get("name"), str) and isinstance(pkg.get("version"), str):
            return Package(Ecosystem.CRATES, pkg["name"], pkg["version"])
        raise RegistryError(f"{path}: Cargo.toml has no package name and version")

    def history(self, name: str, version: str) -> None:
        return None  # the metadata rules' history is read from PyPI and npm only, so far
