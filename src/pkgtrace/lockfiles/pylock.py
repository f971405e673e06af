"""pylock.toml (PEP 751), as written by `pip lock`, `uv export --format pylock.toml`, PDM.

The format records no dependency graph roots, so direct/transitive stays unknown (None).
"""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, expect_type, fmt_key, is_default_index, load_toml, table_array_lines
from pkgtrace.lockfiles.interface import LockfileError, normalize_name
from pkgtrace.model import Ecosystem

_NAME = re.compile(r"^pylock\.([^.]+\.)?toml$", re.I)


class PyLock:
    format = "pylock.toml"
    ecosystem = Ecosystem.PYPI

    def claims_name(self, filename: str) -> bool:
        return bool(_NAME.match(filename))

    def sniff(self, text: str) -> bool:
        return bool(re.search(r'^lock-version\s*=\s*"1\.', text, re.M)) and bool(
            re.search(r"^(\[\[packages\]\]|packages\s*=)", text, re.M))

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc = load_toml(path, text)
        lv = doc.get("lock-version")
        expect_type(path, lv, str, "lock-version")
        if not lv.split(".")[0] == "1":
            raise LockfileError(path, f"lock-version {lv!r} is not supported (only 1.x)", key="lock-version")
        packages = expect_type(path, doc.get("packages", []), list, "packages")
        lines = table_array_lines(text, "packages")
        use_lines = len(lines) == len(packages)
        deps = []
        for i, pkg in enumerate(packages):
            key = fmt_key("packages", i)
            line = lines[i] if use_lines else None
            expect_type(path, pkg, dict, key, line)
            name = expect_type(path, pkg.get("name"), str, key + ".name", line)
            version = pkg.get("version")
            if version is not None:
                expect_type(path, version, str, key + ".version", line)
            source, locator = _source(path, pkg, key, line)
            marker = pkg.get("marker")
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.PYPI, name=normalize_name(Ecosystem.PYPI, name), version=version,
                file=str(path), line=line, key=key, source=source, locator=locator,
                markers=marker if isinstance(marker, str) else None, hashes=_hashes(pkg)))
        return dedupe(deps)


def _source(path: Path, pkg: dict, key: str, line: int | None) -> tuple[str, str | None]:
    if "vcs" in pkg:
        vcs = expect_type(path, pkg["vcs"], dict, key + ".vcs", line)
        where = vcs.get("url") or vcs.get("path") or ""
        rev = vcs.get("commit-id") or vcs.get("requested-revision")
        loc = f"{where}@{rev}" if rev else where
        return ("git" if vcs.get("type") == "git" else "url"), loc
    if "directory" in pkg:
        d = expect_type(path, pkg["directory"], dict, key + ".directory", line)
        p = str(d.get("path", ""))
        # The project being locked is itself listed as a directory package at ".".
        return ("workspace" if p in (".", "./", "") else "path"), p
    if "archive" in pkg:
        a = expect_type(path, pkg["archive"], dict, key + ".archive", line)
        if a.get("url"):
            return "url", str(a["url"])
        return "path", str(a.get("path", ""))
    index = pkg.get("index")
    return "registry", (None if not isinstance(index, str) or is_default_index(index) else index)


def _hashes(pkg: dict) -> tuple[str, ...]:
    out: list[str] = []
    files = ([pkg.get("sdist")] if isinstance(pkg.get("sdist"), dict) else []) + \
        [w for w in pkg.get("wheels", []) if isinstance(w, dict)]
    if isinstance(pkg.get("archive"), dict):
        files.append(pkg["archive"])
    for f in files:
        h = f.get("hashes")
        if isinstance(h, dict):
            out.extend(f"{alg}:{val}" for alg, val in h.items() if isinstance(val, str))
    return tuple(out)


PARSER = PyLock()
