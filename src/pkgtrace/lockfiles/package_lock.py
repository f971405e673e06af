"""package-lock.json, lockfileVersion 1, 2 and 3 (npm-shrinkwrap.json is the same format).

v2/v3: the flat "packages" map keyed by install path (node_modules/a/node_modules/b), with the
root ("") and workspace folders; direct dependencies are what the root and the workspaces declare.
v1: the nested "dependencies" tree; direct dependencies come from package.json beside it.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import (dedupe, expect_type, fmt_key, is_default_index, json_lines,
                                       load_json, read_sibling)
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem

_DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
_NM = "node_modules/"


class PackageLock:
    format = "package-lock.json"
    ecosystem = Ecosystem.NPM
    filename = "package-lock.json"

    def claims_name(self, filename: str) -> bool:
        return filename == self.filename

    def sniff(self, text: str) -> bool:
        return bool(re.search(r'"lockfileVersion"\s*:\s*[123]\b', text[:4096]))

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc = expect_type(path, load_json(path, text), dict, "(top level)", 1)
        lines = json_lines(text)
        version = doc.get("lockfileVersion")
        if version not in (1, 2, 3):
            raise LockfileError(path, f"lockfileVersion {version!r} is not supported (1, 2 or 3)",
                                line=lines.get(("lockfileVersion",)), key="lockfileVersion")
        if version >= 2 and "packages" in doc:
            return dedupe(_parse_packages(path, doc, lines))
        return dedupe(_parse_v1(path, doc, lines))


def _parse_packages(path: Path, doc: dict, lines: dict) -> list[DependencyDoc]:
    packages = expect_type(path, doc["packages"], dict, "packages", lines.get(("packages",)))
    root = packages.get("") if isinstance(packages.get(""), dict) else {}
    ws = root.get("workspaces")
    patterns = ws.get("packages") if isinstance(ws, dict) else ws
    patterns = [p.rstrip("/") for p in patterns if isinstance(p, str)] if isinstance(patterns, list) else []

    def is_workspace(k: str) -> bool:
        return any(fnmatch.fnmatchcase(k, p) or k == p for p in patterns)

    # Folders outside node_modules: the root, the workspaces, and linked local folders (file:).
    folders = [k for k in packages if _NM not in k and not k.startswith(_NM)]
    projects = [k for k in folders if k == "" or is_workspace(k)]
    direct: set[str] = set()
    for proj in projects:
        entry = packages[proj]
        if not isinstance(entry, dict):
            continue
        for field in _DEP_FIELDS:
            for dep in (entry.get(field) or {}):
                nested = f"{proj}/{_NM}{dep}" if proj else f"{_NM}{dep}"
                direct.add(nested if nested in packages else f"{_NM}{dep}")
    # Folders a project's node_modules link points at (computed once: per folder it was a pass
    # over every entry, quadratic in a file of many folders).
    linked_from_direct = {e["resolved"] for lk, e in packages.items()
                          if isinstance(e, dict) and e.get("link") and isinstance(e.get("resolved"), str)
                          and lk in direct}
    deps = []
    for k, entry in packages.items():
        if k == "":
            continue
        key, line = fmt_key("packages", k), lines.get(("packages", k))
        expect_type(path, entry, dict, key, line)
        if entry.get("link"):
            continue  # a symlink to a workspace folder, which has its own entry
        version = entry.get("version")
        if version is not None:
            expect_type(path, version, str, key + ".version", line)
        if _NM not in k and not k.startswith(_NM):
            name = entry.get("name") or k.rsplit("/", 1)[-1]
            # A workspace is direct when a project declares it (through its node_modules link).
            linked = k in linked_from_direct
            deps.append(DependencyDoc(ecosystem=Ecosystem.NPM, name=str(name), version=version,
                                      file=str(path), line=line, key=key, direct=linked,
                                      source="workspace" if is_workspace(k) else "path", locator=k))
            continue
        installed_as = k.rsplit(_NM, 1)[-1]
        if not re.fullmatch(r"(@[^/]+/)?[^/@][^/]*", installed_as):
            raise LockfileError(path, f"cannot read a package name from {k!r}", line=line, key=key)
        real = entry.get("name") or installed_as
        source, locator, version = _source(entry.get("resolved"), version, str(real))
        if source == "registry" and not version:
            raise LockfileError(path, "no version", line=line, key=key + ".version")
        deps.append(DependencyDoc(
            ecosystem=Ecosystem.NPM, name=str(real), version=version, file=str(path), line=line, key=key,
            direct=k in direct, source=source, locator=locator,  # type: ignore[arg-type]
            alias=installed_as if real != installed_as else None, dev=bool(entry.get("dev")),
            hashes=(entry["integrity"],) if isinstance(entry.get("integrity"), str) else ()))
    return deps


def _parse_v1(path: Path, doc: dict, lines: dict) -> list[DependencyDoc]:
    manifest = read_sibling(path, "package.json")
    roots: set[str] | None = None
    if manifest is not None:
        roots = set()
        for field in _DEP_FIELDS:
            if isinstance(manifest.get(field), dict):
                roots.update(manifest[field])
    deps: list[DependencyDoc] = []

    def walk(tree: object, keypath: tuple, top: bool) -> None:
        expect_type(path, tree, dict, fmt_key(*keypath), lines.get(keypath))
        for installed_as, entry in tree.items():  # type: ignore[union-attr]
            kp = keypath + (installed_as,)
            key, line = fmt_key(*kp), lines.get(kp)
            expect_type(path, entry, dict, key, line)
            raw = expect_type(path, entry.get("version"), str, key + ".version", line)
            real, version = installed_as, raw
            m = re.fullmatch(r"npm:((?:@[^/]+/)?[^@]+)@(.+)", raw)
            if m:  # an alias: "my-ms": {"version": "npm:ms@2.1.2"}
                real, version = m.group(1), m.group(2)
            source, locator, version = _source(entry.get("resolved"), version, real)
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.NPM, name=real, version=version, file=str(path), line=line, key=key,
                direct=None if roots is None else (top and installed_as in roots), source=source,  # type: ignore[arg-type]
                locator=locator, alias=installed_as if real != installed_as else None,
                dev=bool(entry.get("dev")),
                hashes=(entry["integrity"],) if isinstance(entry.get("integrity"), str) else ()))
            if "dependencies" in entry:
                walk(entry["dependencies"], kp + ("dependencies",), False)

    walk(doc.get("dependencies", {}), ("dependencies",), True)
    return deps


def _source(resolved: object, version: str | None, name: str) -> tuple[str, str | None, str | None]:
    """(source kind, locator, registry version) from an entry's resolved URL and version field."""
    v = version or ""
    loc = resolved if isinstance(resolved, str) else None
    spec = loc or v
    semver = v if re.match(r"^\d", v) else None  # the package's own version, for git/path/URL deps
    if re.match(r"^(git\+|git://|github:|gitlab:|bitbucket:)", spec) or re.match(r"^(git\+|github:)", v):
        return "git", spec, semver
    if spec.startswith(("file:", "link:")):
        return "path", spec, semver
    if loc and re.match(r"^https?://", loc):
        # A registry tarball is .../NAME/-/BASENAME-VERSION.tgz; any other URL is a URL dependency.
        # (string tests, not a pattern per name: a big lockfile's names overflow re's cache)
        base, last = name.rsplit("/", 1)[-1], loc.rsplit("/-/", 1)[-1]
        if "/-/" in loc and "/" not in last and last.startswith(base + "-") and last.endswith(".tgz") \
                and len(last) > len(base) + 5:
            host = re.sub(r"^https?://([^/]+)/.*$", r"\1", loc)
            return "registry", (None if is_default_index(host) else loc), version
        return "url", loc, semver
    if re.match(r"^https?://", v):
        return "url", v, None
    return "registry", None, version


PARSER = PackageLock()
