"""yarn.lock written by Yarn 2+ ("berry"): YAML with a __metadata entry. Every entry has a
`resolution` (`name@protocol:reference`); workspaces are entries resolved by `workspace:`, and
what they depend on is direct."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, expect_type, fmt_key, load_yaml
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem

_RESOLUTION = re.compile(r"^((?:@[^/@]+/)?[^/@]+)@(.+)$")


class YarnBerry:
    format = "yarn.lock (berry)"
    ecosystem = Ecosystem.NPM

    def claims_name(self, filename: str) -> bool:
        return filename == "yarn.lock"

    def sniff(self, text: str) -> bool:
        return bool(re.search(r"^__metadata:\s*$", text, re.M))

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc, lines = load_yaml(path, text)
        doc = expect_type(path, doc, dict, "(top level)", 1)
        if not isinstance(doc.get("__metadata"), dict):
            raise LockfileError(path, "no __metadata entry (is this a Yarn berry lockfile?)", key="__metadata")
        entries: list[tuple[str, dict, int | None, str, str]] = []
        by_descriptor: dict[str, int] = {}
        for raw_key, entry in doc.items():
            if raw_key == "__metadata":
                continue
            key, line = fmt_key(str(raw_key)), lines.get((raw_key,))
            expect_type(path, entry, dict, key, line)
            resolution = expect_type(path, entry.get("resolution"), str, key + ".resolution", line)
            m = _RESOLUTION.match(resolution)
            if not m:
                raise LockfileError(path, f"cannot read resolution {resolution!r}", line=line,
                                    key=key + ".resolution")
            for descriptor in str(raw_key).split(","):
                by_descriptor[descriptor.strip()] = len(entries)
                # file:/portal: descriptors carry the dependent workspace: "::locator=edge%40workspace%3A."
                by_descriptor.setdefault(descriptor.strip().split("::", 1)[0], len(entries))
            entries.append((str(raw_key), entry, line, m.group(1), m.group(2)))

        direct: set[int] = set()
        for raw_key, entry, line, name, reference in entries:
            if not reference.startswith("workspace:"):
                continue
            for field in ("dependencies", "devDependencies", "optionalDependencies", "peerDependencies"):
                for dep, rng in (entry.get(field) or {}).items():
                    idx = by_descriptor.get(f"{dep}@{rng}")
                    if idx is None and not str(rng).startswith(("npm:", "workspace:", "patch:")):
                        idx = by_descriptor.get(f"{dep}@npm:{rng}")
                    if idx is not None:
                        direct.add(idx)

        deps = []
        for i, (raw_key, entry, line, name, reference) in enumerate(entries):
            key = fmt_key(raw_key)
            source, locator, version = _source(reference, entry.get("version"))
            installed_as = raw_key.split(",")[0].strip()
            at = installed_as.find("@", 1)
            installed_as = installed_as[:at] if at > 0 else installed_as
            checksum = entry.get("checksum")
            deps.append(DependencyDoc(
                ecosystem=Ecosystem.NPM, name=name, version=version, file=str(path), line=line, key=key,
                direct=i in direct, source=source, locator=locator,  # type: ignore[arg-type]
                alias=installed_as if installed_as != name else None,
                hashes=(str(checksum),) if checksum else ()))
        return dedupe(deps)


def _source(reference: str, version: object) -> tuple[str, str | None, str | None]:
    """(kind, locator, version) from the part of a resolution after `name@`."""
    v = str(version) if version is not None else None
    if reference.startswith("npm:"):
        return "registry", None, reference[4:]
    if reference.startswith("patch:"):
        # `patch:typescript@npm%3A5.4.2#optional!builtin<compat/typescript>`: the registry release,
        # patched locally at install time; the release itself is what gets looked up.
        inner = unquote(reference[6:].split("#", 1)[0])
        m = _RESOLUTION.match(inner)
        if m and m.group(2).startswith("npm:"):
            return "registry", None, m.group(2)[4:]
        return "path", reference, v
    if reference.startswith("workspace:"):
        return "workspace", reference[len("workspace:"):], v
    if reference.startswith(("file:", "portal:", "link:", "exec:")):
        return "path", reference, v
    if re.match(r"^(git\+|git@|git:|github:|https?://[^#]+\.git(#|$))", reference) or "#commit=" in reference:
        return "git", reference, v
    if re.match(r"^https?://", reference):
        return "url", reference, v
    return "registry", None, v


PARSER = YarnBerry()
