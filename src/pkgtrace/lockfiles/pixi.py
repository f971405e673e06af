"""pixi.lock (pixi), versions 4 to 7: its PyPI packages. Conda packages are not an ecosystem
pkgtrace analyses; they are counted in a note.

Versions 4-5 list packages as `- kind: pypi|conda` with `url`; 6+ as `- pypi: URL` or
`- conda: URL`. A PyPI package's URL says where it comes from (see pypi_urls)."""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, expect_type, fmt_key, load_yaml, note
from pkgtrace.lockfiles.interface import LockfileError, normalize_name
from pkgtrace.lockfiles.pypi_urls import pypi_source
from pkgtrace.model import Ecosystem


class PixiLock:
    format = "pixi.lock"
    ecosystem = Ecosystem.PYPI

    def claims_name(self, filename: str) -> bool:
        return filename == "pixi.lock"

    def sniff(self, text: str) -> bool:
        return bool(re.match(r"version:\s*\d+\s*\nenvironments:", text)) and "\npackages:" in text

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc, lines = load_yaml(path, text)
        doc = expect_type(path, doc, dict, "(top level)", 1)
        version = doc.get("version")
        if not isinstance(version, int) or not 4 <= version <= 7:
            raise LockfileError(path, f"pixi.lock version {version!r} is not supported (4 to 7)",
                                line=lines.get(("version",)), key="version")
        packages = expect_type(path, doc.get("packages") or [], list, "packages", lines.get(("packages",)))
        deps, conda = [], 0
        for i, entry in enumerate(packages):
            key, line = fmt_key("packages", i), lines.get(("packages", i))
            entry = expect_type(path, entry, dict, key, line)
            kind = entry.get("kind") or ("pypi" if "pypi" in entry else "conda" if "conda" in entry else None)
            if kind == "conda":
                conda += 1
                continue
            if kind != "pypi":
                raise LockfileError(path, "neither a pypi nor a conda package", line=line, key=key)
            name = expect_type(path, entry.get("name"), str, key + ".name", line)
            url = str(entry.get("pypi") or entry.get("url") or entry.get("path") or "")
            source, locator = pypi_source(url)
            version_ = entry.get("version")
            sha = entry.get("sha256")
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.PYPI, name=normalize_name(Ecosystem.PYPI, name),
                version=str(version_) if version_ is not None else None, file=str(path), line=line, key=key,
                source=source, locator=locator,  # type: ignore[arg-type]
                hashes=(f"sha256:{sha}",) if isinstance(sha, str) else ()))
        if conda:
            note(path, f"{conda} conda package(s) not checked: pkgtrace analyses PyPI and npm packages, not conda's")
        return dedupe(deps)


PARSER = PixiLock()
