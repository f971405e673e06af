"""deno.lock, versions 2 to 5: its npm packages (`name@version`, a `_peer@x` suffix after the
version in 4+). JSR and remote (URL) modules are not an ecosystem pkgtrace analyses: they are
counted in a note. Direct dependencies are the `npm:` specifiers the lock resolves."""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, expect_type, fmt_key, json_lines, load_json, note
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem


class DenoLock:
    format = "deno.lock"
    ecosystem = Ecosystem.NPM

    def claims_name(self, filename: str) -> bool:
        return filename == "deno.lock"

    def sniff(self, text: str) -> bool:
        head = text[:200]
        return bool(re.search(r'^\{\s*"version"\s*:\s*"[2-9]"', head)) and (
            '"specifiers"' in text or '"remote"' in text or '"npm"' in text or '"jsr"' in text)

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc = expect_type(path, load_json(path, text), dict, "(top level)", 1)
        lines = json_lines(text)
        version = str(doc.get("version", ""))
        if version not in ("2", "3", "4", "5"):
            raise LockfileError(path, f"deno.lock version {version!r} is not supported (2 to 5)", key="version")
        if version == "2":
            npm_base, specs = ("npm", "packages"), (doc.get("npm") or {}).get("specifiers") or {}
        elif version == "3":
            npm_base, specs = ("packages", "npm"), (doc.get("packages") or {}).get("specifiers") or {}
        else:
            npm_base, specs = ("npm",), doc.get("specifiers") or {}
        npm: object = doc
        for k in npm_base:
            npm = npm.get(k) if isinstance(npm, dict) else None
        npm = expect_type(path, npm or {}, dict, fmt_key(*npm_base), lines.get(npm_base))
        direct = {_direct(k, v, version) for k, v in specs.items()} if isinstance(specs, dict) else set()
        deps = []
        for raw_key in npm:
            key, line = fmt_key(*npm_base, raw_key), lines.get(npm_base + (raw_key,))
            at = raw_key.find("@", 1)
            if at <= 0:
                raise LockfileError(path, f"cannot read a name and version from {raw_key!r}", line=line, key=key)
            name, ver = raw_key[:at], raw_key[at + 1:].split("_", 1)[0]
            entry = npm[raw_key] if isinstance(npm[raw_key], dict) else {}
            integrity = entry.get("integrity")
            deps.append(DependencyDoc(ecosystem=Ecosystem.NPM, name=name, version=ver, file=str(path), line=line,
                                      key=key, direct=(name, ver) in direct, source="registry",
                                      hashes=(integrity,) if isinstance(integrity, str) else ()))
        others = len((doc.get("jsr") or {}) if version in ("4", "5") else
                     ((doc.get("packages") or {}).get("jsr") or {}) if version == "3" else {}) \
            + len(doc.get("remote") or {})
        if others:
            note(path, f"{others} JSR or remote module(s) not checked: pkgtrace analyses npm packages only")
        return dedupe(deps)


def _direct(spec: str, resolved: object, version: str) -> tuple[str, str] | None:
    """(name, version) a specifier resolves to: v4+ `"npm:ms@^2": "2.1.3"`; v3
    `"npm:ms@^2": "npm:ms@2.1.3"`; v2 `"ms": "ms@2.1.3"`."""
    if not isinstance(resolved, str):
        return None
    if version in ("4", "5"):
        if not spec.startswith("npm:"):
            return None
        body = spec[4:]
        at = body.find("@", 1)
        return (body[:at] if at > 0 else body), resolved.split("_", 1)[0]
    body = resolved[4:] if resolved.startswith("npm:") else resolved
    if version == "3" and not resolved.startswith("npm:"):
        return None
    at = body.find("@", 1)
    return (body[:at], body[at + 1:].split("_", 1)[0]) if at > 0 else None


PARSER = DenoLock()
