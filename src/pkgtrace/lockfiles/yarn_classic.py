"""yarn.lock v1 (Yarn classic): its own indented format, not YAML. Each entry is keyed by the
specifiers (`name@range, name@range2`) it satisfies; direct dependencies are the specifiers the
package.json beside it (and its workspaces' package.json files) declare."""

from __future__ import annotations

import json
import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, fmt_key, is_default_index, read_sibling
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem

# Strings unrolled, as common._JSON_TOKEN's (a group per character costs re a frame per character).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|,|:|\s+|[^\s,:"]+')
_DEP_FIELDS = ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies")


class YarnClassic:
    format = "yarn.lock (classic)"
    ecosystem = Ecosystem.NPM

    def claims_name(self, filename: str) -> bool:
        return filename == "yarn.lock"

    def sniff(self, text: str) -> bool:
        return "# yarn lockfile v1" in text[:500]

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        if "__metadata:" in text and "# yarn lockfile v1" not in text[:500]:
            raise LockfileError(path, "this is a Yarn berry lockfile, not Yarn classic")
        entries = parse_entries(path, text)
        declared = manifest_specifiers(path)
        deps = []
        for keys, fields, line in entries:
            key = fmt_key(", ".join(keys))
            version = fields.get("version")
            if not isinstance(version, str):
                raise LockfileError(path, "entry has no version", line=line, key=key)
            installed_as, rng = split_specifier(keys[0], path, line)
            real = installed_as
            m = re.fullmatch(r"npm:((?:@[^/]+/)?[^@]+)@.+", rng)
            if m:
                real = m.group(1)
            resolved = fields.get("resolved")
            source, locator = _source(rng, resolved if isinstance(resolved, str) else None, real)
            integrity = fields.get("integrity")
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.NPM, name=real, version=version, file=str(path), line=line, key=key,
                direct=None if declared is None else any(k in declared for k in keys),
                source=source, locator=locator,  # type: ignore[arg-type]
                alias=installed_as if real != installed_as else None,
                hashes=(integrity,) if isinstance(integrity, str) else ()))
        return dedupe(deps)


def parse_entries(path: Path, text: str) -> list[tuple[list[str], dict, int]]:
    """[(specifiers, fields, line)] of a Yarn classic lockfile."""
    entries: list[tuple[list[str], dict, int]] = []
    stack: list[dict] = []  # containers by indentation level (level 0 is the entry's fields)
    for lineno, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        if raw[:indent].count("\t") or indent % 2:
            raise LockfileError(path, "indentation is not a multiple of two spaces", line=lineno)
        level = indent // 2
        tokens = [t for t in _TOKEN.findall(stripped) if not t.isspace()]
        if tokens and tokens[-1] == ":":
            names = [_unquote(t, path, lineno) for t in tokens[:-1] if t != ","]
            if not names or any(t == ":" for t in tokens[:-1]):
                raise LockfileError(path, f"cannot read the header {stripped!r}", line=lineno)
            if level == 0:
                fields: dict = {}
                entries.append((names, fields, lineno))
                stack = [fields]
                continue
            if level > len(stack) or len(names) != 1:
                raise LockfileError(path, f"unexpected {stripped!r} here", line=lineno)
            child: dict = {}
            stack = stack[:level]
            stack[-1][names[0]] = child
            stack.append(child)
            continue
        if level == 0 or level > len(stack):
            raise LockfileError(path, f"unexpected {stripped!r} here", line=lineno)
        if len(tokens) == 3 and tokens[1] == ":":  # `key: value`, which Yarn also reads
            tokens = [tokens[0], tokens[2]]
        if len(tokens) != 2 or "," in tokens or ":" in tokens:
            raise LockfileError(path, f"expected `key value`, found {stripped!r}", line=lineno)
        stack = stack[:level]
        stack[-1][_unquote(tokens[0], path, lineno)] = _value(tokens[1], path, lineno)
    return entries


def _unquote(tok: str, path: Path, line: int) -> str:
    if tok.startswith('"'):
        try:
            return json.loads(tok)
        except ValueError:
            raise LockfileError(path, f"malformed string {tok}", line=line) from None
    return tok


def _value(tok: str, path: Path, line: int) -> object:
    if tok in ("true", "false"):
        return tok == "true"
    return _unquote(tok, path, line)


def split_specifier(spec: str, path: Path, line: int | None) -> tuple[str, str]:
    """'@scope/name@^1.0' -> ('@scope/name', '^1.0')."""
    at = spec.find("@", 1)
    if at <= 0:
        raise LockfileError(path, f"cannot read a package name from {spec!r}", line=line)
    return spec[:at], spec[at + 1:]


def _source(rng: str, resolved: str | None, name: str) -> tuple[str, str | None]:
    if re.match(r"^(git\+|git://|github:|gitlab:|bitbucket:|[\w.-]+/[\w.-]+(#.*)?$)", rng) or (
            resolved and re.match(r"^(git\+|git://|https://codeload\.github\.com/)", resolved)):
        return "git", resolved or rng
    if rng.startswith(("file:", "link:", "portal:")) or (resolved or "").startswith("file:"):
        return "path", rng
    if resolved and re.match(r"^https?://", resolved):
        base = name.rsplit("/", 1)[-1]
        if re.search(r"/-/" + re.escape(base) + r"-[^/]+\.tgz(#.*)?$", resolved):
            host = re.sub(r"^https?://([^/]+)/.*$", r"\1", resolved)
            return "registry", (None if is_default_index(host) else resolved.split("#")[0])
        return "url", resolved
    if re.match(r"^https?://", rng):
        return "url", rng
    return "registry", None


def manifest_specifiers(lock: Path) -> set[str] | None:
    """`name@range` for everything package.json beside the lockfile, and its workspaces, declare."""
    root = read_sibling(lock, "package.json")
    if root is None:
        return None
    manifests = [root]
    ws = root.get("workspaces")
    patterns = ws.get("packages") if isinstance(ws, dict) else ws
    if isinstance(patterns, list):
        for pat in patterns:
            if isinstance(pat, str) and ".." not in pat:
                for p in sorted(lock.parent.glob(pat.rstrip("/") + "/package.json")):
                    doc = read_sibling(p, "package.json")
                    if doc is not None:
                        manifests.append(doc)
    out: set[str] = set()
    for m in manifests:
        for field in _DEP_FIELDS:
            if isinstance(m.get(field), dict):
                out.update(f"{n}@{r}" for n, r in m[field].items() if isinstance(r, str))
    return out


PARSER = YarnClassic()
