"""Gemfile.lock (Bundler): GEM (a gem server), GIT and PATH sections with their specs, and the
DEPENDENCIES section, which lists what the Gemfile asks for directly."""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, is_default_index
from pkgtrace.lockfiles.interface import LockfileError
from pkgtrace.model import Ecosystem

_SOURCES = {"GEM": "registry", "GIT": "git", "PATH": "path", "PLUGIN SOURCE": "url"}
_OTHER = {"PLATFORMS", "DEPENDENCIES", "RUBY VERSION", "BUNDLED WITH", "CHECKSUMS"}
_SPEC = re.compile(r"^    ([^\s(]+) \(([^)\s]+)\)$")
# `  name`, `  name!` (from a git/path source), `  name (~> 1.0)`, and Bundler's
# `  name (~> 1.0)!` for a pinned source with a requirement.
_DEPENDENCY = re.compile(r"^  ([^\s(!]+)(!)?(?: \(([^)]*)\))?(!)?$")


class GemfileLock:
    format = "Gemfile.lock"
    ecosystem = Ecosystem.RUBYGEMS

    def claims_name(self, filename: str) -> bool:
        return filename in ("Gemfile.lock", "gems.locked")

    def sniff(self, text: str) -> bool:
        return bool(re.search(r"^(GEM|GIT|PATH)\n  remote: ", text, re.M)) and "\nDEPENDENCIES\n" in text

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        specs: list[tuple[str, str, str | None, str, str | None, int]] = []
        direct: set[str] = set()
        section: str | None = None
        remote: str | None = None
        revision: str | None = None
        seen_sections: set[str] = set()
        for lineno, raw in enumerate(text.split("\n"), 1):
            line = raw.rstrip()
            if not line:
                continue
            if not line.startswith(" "):
                section, remote, revision = line, None, None
                if section not in _SOURCES and section not in _OTHER:
                    raise LockfileError(path, f"unknown section {section!r}", line=lineno)
                seen_sections.add(section)
                continue
            if section is None:
                raise LockfileError(path, "indented line before any section", line=lineno)
            if section in _SOURCES:
                if line.startswith("  remote: "):
                    remote = line[len("  remote: "):].strip()
                elif line.startswith("  revision: "):
                    revision = line[len("  revision: "):].strip()
                elif line.startswith("      "):
                    continue  # a spec's own requirement: the spec it resolves to is listed too
                elif line.startswith("    "):
                    m = _SPEC.match(line)
                    if not m:
                        raise LockfileError(path, f"expected `    NAME (VERSION)`, found {line.strip()!r}",
                                            line=lineno)
                    name, full = m.groups()
                    # A platform gem's version carries the platform: 1.15.4-x86_64-linux.
                    version, _, platform = full.partition("-")
                    specs.append((name, version, platform or None, _SOURCES[section],
                                  _locator(section, remote, revision), lineno))
                elif not re.match(r"^  (specs|branch|tag|ref|glob|submodules):", line):
                    raise LockfileError(path, f"unexpected {line.strip()!r} in {section}", line=lineno)
            elif section == "DEPENDENCIES":
                m = _DEPENDENCY.match(line)
                if not m:
                    raise LockfileError(path, f"expected `  NAME (REQUIREMENT)`, found {line.strip()!r}",
                                        line=lineno)
                direct.add(m.group(1))
        if not seen_sections & set(_SOURCES) or "DEPENDENCIES" not in seen_sections:
            raise LockfileError(path, "no GEM/GIT/PATH and DEPENDENCIES sections (is this a Gemfile.lock?)")
        deps = [DependencyDoc(ecosystem=Ecosystem.RUBYGEMS, name=name, version=version, file=str(path),
                              line=line, direct=name in direct, source=kind, locator=locator,  # type: ignore[arg-type]
                              markers=f"platform == {platform!r}" if platform else None)
                for name, version, platform, kind, locator, line in specs]
        return dedupe(deps)


def _locator(section: str, remote: str | None, revision: str | None) -> str | None:
    if section == "GEM":
        return None if is_default_index(remote) else remote
    if section == "GIT" and revision:
        return f"{remote}@{revision}"
    return remote


PARSER = GemfileLock()
