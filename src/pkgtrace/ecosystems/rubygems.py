"""RubyGems: the v1/v2 JSON API for resolution and checksums, /gems/NAME-VERSION.gem for files.

GET /api/v1/versions/NAME/latest.json      -> {"version": "1.2.3"}
GET /api/v2/rubygems/NAME/versions/V.json  -> {"name", "version", "platform", "sha", ...}
GET /gems/NAME-V.gem                       -> the .gem (a tar of metadata.gz, data.tar.gz)
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import quote

from pkgtrace.ecosystems import http
from pkgtrace.ecosystems.interface import RegistryError, read_manifests
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.sandbox.layout import driver as guest_driver


def base_url() -> str:
    return os.environ.get("PKGTRACE_RUBYGEMS_URL", "https://rubygems.org").rstrip("/")


def _q(s: str) -> str:
    return quote(s, safe="")


class RubyGems:
    ecosystem = Ecosystem.RUBYGEMS

    def resolve(self, name: str, version: str | None = None) -> Package:
        if version is None:
            doc = http.get_json(f"{base_url()}/api/v1/versions/{_q(name)}/latest.json")
            version = doc.get("version")
            # latest.json answers {"version": "unknown"} for a gem it does not know.
            if not isinstance(version, str) or version == "unknown":
                raise RegistryError(f"RubyGems has no releases of {name}")
            return Package(Ecosystem.RUBYGEMS, name, version)
        doc = self._version_doc(name, version)
        return Package(Ecosystem.RUBYGEMS, doc.get("name") or name, doc.get("version") or version)

    def _version_doc(self, name: str, version: str) -> dict:
        return http.get_json(f"{base_url()}/api/v2/rubygems/{_q(name)}/versions/{_q(version)}.json")

    def download(self, package: Package, dest: Path) -> Artifact:
        doc = self._version_doc(package.name, package.version)
        platform = doc.get("platform") or "ruby"
        filename = f"{package.name}-{package.version}"
        if platform != "ruby":
            filename += f"-{platform}"
        filename += ".gem"
        url = f"{base_url()}/gems/{_q(filename)}"
        sha = doc.get("sha")
        path = http.download(url, dest / filename, algorithm="sha256" if sha else None,
                             digest=sha if isinstance(sha, str) else None)
        return Artifact.from_file(package, path, url=url)

    def sandbox_phases(self, package: Package, guest_artifact: str) -> list[tuple[str, list[str]]]:
        """The commands each phase runs inside the sandbox (see sandbox/guest/gem.py)."""
        driver = guest_driver("gem.py")
        return [("install", [*driver, "install", guest_artifact]),
                ("import", [*driver, "import", package.name, package.version]),
                ("execute", [*driver, "execute", package.name, package.version])]

    def identify_local(self, path: Path) -> Package:
        # The head of its metadata.gz (YAML with Ruby tags, read by pattern): name and version
        # lead the spec, so padding or a bomb after them changes nothing.
        what = "metadata.gz with a name and version"
        [(_, head)] = read_manifests(path, lambda n: n == "metadata.gz", what)
        spec = head.decode("utf-8", "replace")
        name, version = _NAME.search(spec), _VERSION.search(spec)
        if not (name and version):
            raise RegistryError(f"{path}: no {what}")
        return Package(Ecosystem.RUBYGEMS, name.group(1).strip(), version.group(1).strip())

    def history(self, name: str, version: str) -> None:
        return None  # the metadata rules' history is read from PyPI and npm only, so far


_NAME = re.compile(r"^name:\s*['\"]?([^'\"\n]+?)['\"]?\s*$", re.M)
_VERSION = re.compile(r"^version:\s*!ruby/object:Gem::Version\s*\n\s+version:\s*['\"]?([^'\"\n]+?)"
                      r"['\"]?\s*$", re.M)
