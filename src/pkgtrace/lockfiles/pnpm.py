"""pnpm-lock.yaml, lockfile versions 5.x (`/name/1.0.0`), 6.x (`/name@1.0.0`) and 9.x (`name@1.0.0`).

Importers (the root and each workspace project) list what they depend on: those are direct.
Peer-dependency suffixes (`(react@18.2.0)`, `_react@18.2.0`) are not part of the version; in 5.x
the suffix follows the version, so a name's own `_` (`string_decoder`) stays.
pnpm ≥ 11 may write two YAML documents: an "env" document (pnpm itself and config dependencies,
which are installed too) and then the project's. Both are read and their packages united.
"""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import (dedupe, expect_type, fmt_key, is_default_index,
                                       load_yaml_documents)
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem

_DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies",
               "configDependencies", "packageManagerDependencies")  # the last two: env document


class PnpmLock:
    format = "pnpm-lock.yaml"
    ecosystem = Ecosystem.NPM

    def claims_name(self, filename: str) -> bool:
        return filename in ("pnpm-lock.yaml", "shrinkwrap.yaml")

    def sniff(self, text: str) -> bool:
        return bool(re.search(r"^lockfileVersion:\s*'?\d", text, re.M)) and (
            "importers:" in text or "packages:" in text or "specifiers:" in text)

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        docs = [(d, ln) for d, ln in load_yaml_documents(path, text) if d is not None]
        if not docs:
            raise LockfileError(path, "no YAML document in the file")
        deps: list[DependencyDoc] = []
        for doc, lines in docs:
            deps.extend(self._document(path, doc, lines))
        return dedupe(deps)

    def _document(self, path: Path, doc: object, lines: dict) -> list[DependencyDoc]:
        doc = expect_type(path, doc, dict, "(top level)", 1)
        raw_version = doc.get("lockfileVersion")
        try:
            major = int(float(str(raw_version)))
        except ValueError:
            major = 0
        if major not in (5, 6, 7, 8, 9):
            raise LockfileError(path, f"lockfileVersion {raw_version!r} is not supported (5.x, 6.x, 9.x)",
                                line=lines.get(("lockfileVersion",)), key="lockfileVersion")
        packages = expect_type(path, doc.get("packages") or {}, dict, "packages", lines.get(("packages",)))

        importers = doc.get("importers")
        if not isinstance(importers, dict):  # a single project (v5): its fields are at the top level
            importers = {".": doc}
        direct: set[tuple[str, str]] = set()
        deps: list[DependencyDoc] = []
        for imp, proj in importers.items():
            if not isinstance(proj, dict):
                continue
            for field in _DEP_FIELDS:
                section = proj.get(field) or {}
                base = ("importers", imp, field) if "importers" in doc else (field,)
                expect_type(path, section, dict, fmt_key(*base), lines.get(base))
                for dep, ref in section.items():
                    if isinstance(ref, dict):  # v6+: {specifier, version}
                        ref = ref.get("version")
                    if ref is None:
                        continue
                    ref = str(ref)
                    if ref.startswith("link:"):  # a workspace project (or a linked folder)
                        deps.append(DependencyDoc(
                            ecosystem=Ecosystem.NPM, name=str(dep), version=None, file=str(path),
                            line=lines.get(base + (dep,)), key=fmt_key(*base, dep), direct=True,
                            source="workspace", locator=ref[5:]))
                        continue
                    direct.add(_importer_ref(str(dep), ref, major))
        for raw_key, entry in packages.items():
            key, line = fmt_key("packages", raw_key), lines.get(("packages", raw_key))
            entry = expect_type(path, entry if entry is not None else {}, dict, key, line)
            key_name, key_version = _split_key(str(raw_key), major, path, line, key)
            name = str(entry.get("name") or key_name)
            version = str(entry["version"]) if entry.get("version") is not None else key_version
            source, locator = _source(entry.get("resolution"), str(raw_key), name)
            integrity = (entry.get("resolution") or {}).get("integrity") if isinstance(entry.get("resolution"), dict) else None
            dev = entry.get("dev")
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.NPM, name=name,
                # a non-registry key "version" is its URL or path, not a version
                version=version if (source == "registry" or entry.get("version") is not None) else None,
                file=str(path), line=line, key=key,
                direct=((key_name, key_version) in direct or (name, version) in direct
                        or (name, str(raw_key).lstrip("/")) in direct),
                source=source, locator=locator,  # type: ignore[arg-type]
                dev=dev if isinstance(dev, bool) else None,
                hashes=(str(integrity),) if integrity else ()))
        return deps


def _strip_peers(s: str) -> str:
    return re.sub(r"\(.*$", "", s)


def _strip_v5_peers(ref: str) -> str:
    """`name/1.0.0_react@18.2.0` -> `name/1.0.0`: the suffix is on the last segment, the version
    (a 5.x peer suffix writes its own slashes as `+`), so `string_decoder/1.3.0` is left whole."""
    head, sep, last = ref.rpartition("/")
    return head + sep + last.split("_", 1)[0]


def _importer_ref(dep: str, ref: str, major: int) -> tuple[str, str]:
    """(name, version) a project's dependency entry points at; an alias names its target."""
    ref = _strip_peers(ref) if major >= 6 else _strip_v5_peers(ref)
    if ref.startswith("/"):  # v5/v6 alias or non-registry: a package key
        ref = ref[1:]
    m = re.fullmatch(r"((?:@[^/@]+/)?[^/@]+)[@/](\d[^/]*)", ref)
    if m and not re.match(r"^\d", ref):
        return m.group(1), m.group(2)
    return dep, ref


def _split_key(key: str, major: int, path: Path, line: int | None, fkey: str) -> tuple[str, str | None]:
    k = key[1:] if key.startswith("/") else key
    if major >= 6:
        k = _strip_peers(k)
        at = k.find("@", 1)
        if at > 0:
            return k[:at], k[at + 1:]
    else:
        parts = _strip_v5_peers(k).split("/")
        if len(parts) >= 2 and (not parts[0].startswith("@") or len(parts) >= 3):
            return "/".join(parts[:-1]), parts[-1]
    if re.match(r"^[a-z0-9.-]+\.[a-z]+/", k):  # github.com/user/repo/sha: name comes from the entry
        return k, None
    raise LockfileError(path, f"cannot read a name and version from {key!r}", line=line, key=fkey)


def _source(resolution: object, key: str, name: str) -> tuple[str, str | None]:
    if not isinstance(resolution, dict):
        return "registry", None
    if resolution.get("type") == "git" or "repo" in resolution:
        repo, commit = resolution.get("repo", ""), resolution.get("commit", "")
        return "git", f"{repo}#{commit}" if commit else str(repo)
    if "directory" in resolution:
        return "path", str(resolution["directory"])
    tarball = resolution.get("tarball")
    if isinstance(tarball, str):
        if tarball.startswith("file:"):
            return "path", tarball
        base = name.rsplit("/", 1)[-1]
        if re.search(r"/-/" + re.escape(base) + r"-[^/]+\.tgz$", tarball):
            host = re.sub(r"^https?://([^/]+)/.*$", r"\1", tarball)
            return "registry", (None if is_default_index(host) else tarball)
        if re.match(r"^https://codeload\.github\.com/", tarball):
            return "git", tarball
        return "url", tarball
    return "registry", None


PARSER = PnpmLock()
