"""uv.lock: uv's universal lockfile. Workspace members are the packages with an editable or
virtual source (listed in [manifest] members); what they depend on is direct."""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, expect_type, fmt_key, is_default_index, load_toml, table_array_lines
from pkgtrace.lockfiles.interface import LockfileError, normalize_name
from pkgtrace.model import Ecosystem

class UvLock:
    format = "uv.lock"
    ecosystem = Ecosystem.PYPI

    def claims_name(self, filename: str) -> bool:
        return filename == "uv.lock"

    def sniff(self, text: str) -> bool:
        return bool(re.search(r"^version\s*=\s*\d+\s*$", text, re.M)) and \
            bool(re.search(r"^requires-python\s*=", text, re.M)) and "[[package]]" in text and \
            bool(re.search(r"^source\s*=\s*\{\s*(registry|editable|virtual|git|url|path|directory)\s*=",
                           text, re.M))

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc = load_toml(path, text)
        version = doc.get("version")
        if not isinstance(version, int):
            raise LockfileError(path, "missing lockfile version (is this a uv.lock?)", key="version")
        if version != 1:
            raise LockfileError(path, f"uv.lock version {version} is not supported (only 1)", key="version")
        packages = expect_type(path, doc.get("package", []), list, "package")
        lines = table_array_lines(text, "package")
        use_lines = len(lines) == len(packages)
        manifest = doc.get("manifest") if isinstance(doc.get("manifest"), dict) else {}
        members = {normalize_name(Ecosystem.PYPI, m) for m in manifest.get("members", []) if isinstance(m, str)}

        parsed = []
        for i, pkg in enumerate(packages):
            key, line = fmt_key("package", i), (lines[i] if use_lines else None)
            expect_type(path, pkg, dict, key, line)
            name = normalize_name(Ecosystem.PYPI, expect_type(path, pkg.get("name"), str, key + ".name", line))
            ver = pkg.get("version")
            if ver is not None:
                expect_type(path, ver, str, key + ".version", line)
            src = expect_type(path, pkg.get("source"), dict, key + ".source", line)
            kind, locator = _source(src)
            if kind in ("editable", "virtual"):
                where = str(src.get(kind))
                kind = "workspace" if (name in members or where in (".", "")) else "path"
                locator = where
            parsed.append((pkg, name, ver, kind, locator, key, line))

        # Edges out of workspace members are direct; every edge carries its own marker.
        workspace = [p for p in parsed if p[3] == "workspace"]
        direct: set[tuple[str, str | None]] = set()
        incoming: dict[str, list[str | None]] = {}
        for pkg, name, _, kind, _, key, line in parsed:
            for edge, ekey in _edges(path, pkg, key, line):
                target = normalize_name(Ecosystem.PYPI, edge["name"])
                incoming.setdefault(target, []).append(edge.get("marker") if isinstance(edge.get("marker"), str) else None)
                if kind == "workspace":
                    direct.add((target, edge.get("version") if isinstance(edge.get("version"), str) else None))

        deps = []
        for pkg, name, ver, kind, locator, key, line in parsed:
            is_direct = (name, ver) in direct or (name, None) in direct
            markers = incoming.get(name, [])
            marker = None
            if markers and all(markers):
                uniq = sorted(set(markers))  # type: ignore[arg-type]
                marker = uniq[0] if len(uniq) == 1 else " or ".join(f"({m})" for m in uniq)
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.PYPI, name=name, version=ver, file=str(path), line=line, key=key,
                direct=None if not workspace else is_direct,
                source=kind, locator=locator, markers=marker, hashes=_hashes(pkg)))  # type: ignore[arg-type]
        return dedupe(deps)


def _source(src: dict) -> tuple[str, str | None]:
    if "registry" in src:
        index = str(src["registry"])
        return "registry", (None if is_default_index(index) else index)
    if "git" in src:
        return "git", str(src["git"])
    if "url" in src:
        return "url", str(src["url"])
    for k in ("path", "directory"):
        if k in src:
            return "path", str(src[k])
    for k in ("editable", "virtual"):
        if k in src:
            return k, str(src[k])
    return "registry", None


def _edges(path: Path, pkg: dict, key: str, line: int | None):
    groups: list[tuple[str, object]] = [("dependencies", pkg.get("dependencies", []))]
    for table in ("optional-dependencies", "dev-dependencies"):
        t = pkg.get(table, {})
        if isinstance(t, dict):
            groups += [(f"{table}.{g}", v) for g, v in t.items()]
    for where, edges in groups:
        expect_type(path, edges, list, f"{key}.{where}", line)
        for j, e in enumerate(edges):
            ekey = f"{key}.{where}[{j}]"
            expect_type(path, e, dict, ekey, line)
            expect_type(path, e.get("name"), str, ekey + ".name", line)
            yield e, ekey


def _hashes(pkg: dict) -> tuple[str, ...]:
    files = ([pkg["sdist"]] if isinstance(pkg.get("sdist"), dict) else []) + \
        [w for w in pkg.get("wheels", []) if isinstance(w, dict)]
    return tuple(f["hash"] for f in files if isinstance(f.get("hash"), str))


PARSER = UvLock()
