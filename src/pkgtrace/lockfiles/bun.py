"""bun.lock (Bun ≥ 1.2): JSON with comments and trailing commas (JSONC).

`workspaces` holds each project's manifest dependencies (the direct ones); `packages` maps an
install path (`ms`, `debug/ms` for a nested copy, `my-ms` for an alias) to an array whose first
item is `NAME@RESOLUTION`: a version for a registry package (the second item is the registry URL,
empty for npmjs.org), else `github:…`, `git+…`, `file:…`, `link:…`, `workspace:…` or a tarball URL.

bun.lockb, the binary format before it, is not read: `bun install --save-text-lockfile
--frozen-lockfile --lockfile-only` writes the bun.lock equivalent (Bun ≥ 1.1.39).
"""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, expect_type, fmt_key, is_default_index, json_lines, load_json
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem

_DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")
# Strings are kept whole (a URL's `//` is not a comment); comments become the newlines they held.
_JSONC = re.compile(r'"(?:[^"\\\n]|\\.)*"|//[^\n]*|/\*.*?\*/', re.S)
_TRAILING_COMMA = re.compile(r'"(?:[^"\\\n]|\\.)*"|,(?=\s*[}\]])', re.S)
LOCKB_MAGIC = b"#!/usr/bin/env bun\nbun-lockfile-format-v0"
LOCKB_MESSAGE = ("bun.lockb is Bun's binary lockfile, which pkgtrace does not read; write its text "
                 "equivalent with `bun install --save-text-lockfile --frozen-lockfile --lockfile-only` "
                 "(Bun 1.1.39 or later) and verify bun.lock")


def jsonc_to_json(text: str) -> str:
    """JSON text from JSONC, line numbers unchanged."""
    def drop_comment(m: re.Match) -> str:
        t = m.group()
        return t if t.startswith('"') else "\n" * t.count("\n")

    def drop_comma(m: re.Match) -> str:
        t = m.group()
        return t if t.startswith('"') else ""
    return _TRAILING_COMMA.sub(drop_comma, _JSONC.sub(drop_comment, text))


class BunLock:
    format = "bun.lock"
    ecosystem = Ecosystem.NPM

    def claims_name(self, filename: str) -> bool:
        return filename == "bun.lock"

    def sniff(self, text: str) -> bool:
        head = text[:4096]
        return '"lockfileVersion"' in head and bool(re.search(r'"workspaces"\s*:\s*\{', head))

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        plain = jsonc_to_json(text)
        doc = expect_type(path, load_json(path, plain), dict, "(top level)", 1)
        lines = json_lines(plain)
        if "lockfileVersion" not in doc:
            raise LockfileError(path, "no lockfileVersion (is this a bun.lock?)")
        workspaces = expect_type(path, doc.get("workspaces") or {}, dict, "workspaces", lines.get(("workspaces",)))
        direct: dict[str, bool] = {}  # name -> only a development dependency
        for ws_key, ws in workspaces.items():
            ws = expect_type(path, ws, dict, fmt_key("workspaces", ws_key), lines.get(("workspaces", ws_key)))
            for field in _DEP_FIELDS:
                for name in ws.get(field) or {}:
                    direct[name] = direct.get(name, True) and field == "devDependencies"
        packages = expect_type(path, doc.get("packages") or {}, dict, "packages", lines.get(("packages",)))
        deps: list[DependencyDoc] = []
        for install_path, entry in packages.items():
            key, line = fmt_key("packages", install_path), lines.get(("packages", install_path))
            entry = expect_type(path, entry, list, key, line)
            if not entry or not isinstance(entry[0], str):
                raise LockfileError(path, "expected [\"NAME@RESOLUTION\", …]", line=line, key=key)
            name, resolution = _split_ident(entry[0], path, line, key)
            registry = entry[1] if len(entry) > 1 and isinstance(entry[1], str) else ""
            source, version, locator = _source(resolution, registry)
            integrity = entry[3] if len(entry) > 3 and isinstance(entry[3], str) else None
            # A top-level install path is the name the project imports: an alias's own name.
            top = install_path.count("/") == (1 if install_path.startswith("@") else 0)
            is_direct = top and install_path in direct
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.NPM, name=name, version=version, file=str(path), line=line, key=key,
                direct=is_direct, source=source, locator=locator,  # type: ignore[arg-type]
                alias=install_path if top and install_path != name and source == "registry" else None,
                dev=direct[install_path] if is_direct else None,
                hashes=(integrity,) if integrity and integrity.startswith("sha") else ()))
        return dedupe(deps)


def _split_ident(ident: str, path: Path, line: int | None, key: str) -> tuple[str, str]:
    at = ident.find("@", 1)
    if at <= 0:
        raise LockfileError(path, f"cannot read NAME@RESOLUTION from {ident!r}", line=line, key=key)
    return ident[:at], ident[at + 1:]


def _source(resolution: str, registry: str) -> tuple[str, str | None, str | None]:
    """(source kind, version, locator) of a package's resolution."""
    if re.match(r"^\d+\.\d+\.\d+", resolution):
        return "registry", resolution, (None if is_default_index(registry) else registry)
    kind, _, rest = resolution.partition(":")
    if kind in ("workspace", "root"):
        return "workspace", None, rest or resolution
    if kind in ("file", "link"):
        return "path", None, rest
    if kind in ("github", "gitlab", "bitbucket") or resolution.startswith("git+") or kind == "git":
        return "git", None, resolution
    return "url", None, resolution


PARSER = BunLock()
