"""Pipfile.lock (pipenv): "default" and "develop" sections and any named category a Pipfile
declares (pipenv 2023+: `[docs]` in the Pipfile, "docs" in the lock); direct dependencies come
from the Pipfile beside it, when there is one. A package pinned to a source other than PyPI
(`"index": "internal"`, a _meta source with another URL) is private: not looked up on PyPI."""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import (dedupe, expect_type, fmt_key, is_default_index, json_lines,
                                       load_json, read_sibling_toml)
from pkgtrace.lockfiles.interface import LockfileError, normalize_name
from pkgtrace.model import Ecosystem

_SECTIONS = ("default", "develop")  # always first; then named categories, in file order


class PipfileLock:
    format = "Pipfile.lock"
    ecosystem = Ecosystem.PYPI

    def claims_name(self, filename: str) -> bool:
        return filename == "Pipfile.lock"

    def sniff(self, text: str) -> bool:
        return '"_meta"' in text and '"pipfile-spec"' in text

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc = expect_type(path, load_json(path, text), dict, "(top level)", 1)
        if not isinstance(doc.get("_meta"), dict):
            raise LockfileError(path, "no _meta object (is this a Pipfile.lock?)", key="_meta")
        lines = json_lines(text)
        pipfile = read_sibling_toml(path, "Pipfile")
        roots: set[str] | None = None
        if pipfile is not None:
            roots = set()
            for table, t in pipfile.items():  # packages, dev-packages, named categories
                if isinstance(t, dict) and table not in ("source", "requires", "scripts", "pipenv"):
                    roots.update(normalize_name(Ecosystem.PYPI, k) for k in t)
        sources = _private_sources(doc["_meta"])
        sections = list(_SECTIONS) + [k for k in doc if k not in _SECTIONS and k != "_meta"]
        deps = []
        for section in sections:
            entries = expect_type(path, doc.get(section, {}), dict, section, lines.get((section,)))
            for raw_name, entry in entries.items():
                key, line = fmt_key(section, raw_name), lines.get((section, raw_name))
                expect_type(path, entry, dict, key, line)
                name = normalize_name(Ecosystem.PYPI, raw_name)
                version, source, locator = _resolve(path, entry, key, line)
                index = entry.get("index")
                if source == "registry" and isinstance(index, str) and index in sources:
                    source, locator = "private", sources[index]
                hashes = tuple(h for h in entry.get("hashes", []) if isinstance(h, str))
                markers = entry.get("markers")
                deps.append(DependencyDoc(
                    ecosystem=Ecosystem.PYPI, name=name, version=version, file=str(path), line=line,
                    key=key, direct=None if roots is None else name in roots, source=source,
                    locator=locator, dev=section != "default",
                    markers=markers if isinstance(markers, str) else None, hashes=hashes))
        return dedupe(deps)


def _private_sources(meta: dict) -> dict[str, str]:
    """Source name -> URL, for the _meta sources that are not PyPI (credentials left out)."""
    out = {}
    for src in meta.get("sources") or []:
        if isinstance(src, dict) and isinstance(src.get("name"), str) and isinstance(src.get("url"), str) \
                and not is_default_index(src["url"]):
            out[src["name"]] = re.sub(r"//[^/@\s]*@", "//", src["url"])
    return out


def _resolve(path: Path, entry: dict, key: str, line: int | None) -> tuple[str | None, str, str | None]:
    version = entry.get("version")
    if version is not None:
        expect_type(path, version, str, key + ".version", line)
        m = re.fullmatch(r"\s*===?\s*(\S+)\s*", version)
        if not m:
            raise LockfileError(path, f"version {version!r} is not pinned with ==", line=line, key=key + ".version")
        version = m.group(1)
    for vcs in ("git", "hg", "svn", "bzr"):
        if vcs in entry:
            ref = entry.get("ref")
            loc = f"{entry[vcs]}@{ref}" if ref else str(entry[vcs])
            return version, ("git" if vcs == "git" else "url"), loc
    if "path" in entry:
        return version, "path", str(entry["path"])
    if "file" in entry:
        f = str(entry["file"])
        return version, ("url" if re.match(r"^https?://", f) else "path"), f
    if version is None:
        raise LockfileError(path, "no version and no git/path/file source", line=line, key=key)
    return version, "registry", None


PARSER = PipfileLock()
