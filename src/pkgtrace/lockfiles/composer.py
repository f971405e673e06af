"""composer.lock: "packages" and "packages-dev"; direct dependencies come from the composer.json
beside it (require, require-dev), when there is one."""

from __future__ import annotations

import re
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import (dedupe, expect_type, fmt_key, json_lines, load_json,
                                       read_sibling)
from pkgtrace.lockfiles.interface import LockfileError, normalize_name
from pkgtrace.model import Ecosystem

# Platform requirements are not packages: php, ext-*, lib-*, composer APIs.
_PLATFORM = re.compile(r"^(php(-64bit|-ipv6|-zts|-debug)?|hhvm|ext-.+|lib-.+|composer(-plugin-api|-runtime-api)?)$",
                       re.I)


class ComposerLock:
    format = "composer.lock"
    ecosystem = Ecosystem.PACKAGIST

    def claims_name(self, filename: str) -> bool:
        return filename == "composer.lock"

    def sniff(self, text: str) -> bool:
        return '"content-hash"' in text[:2048] and '"packages"' in text

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        doc = expect_type(path, load_json(path, text), dict, "(top level)", 1)
        lines = json_lines(text)
        if "packages" not in doc:
            raise LockfileError(path, "no \"packages\" list (is this a composer.lock?)", key="packages")
        manifest = read_sibling(path, "composer.json")
        roots: set[str] | None = None
        if manifest is not None:
            roots = set()
            for field in ("require", "require-dev"):
                if isinstance(manifest.get(field), dict):
                    roots.update(normalize_name(Ecosystem.PACKAGIST, n) for n in manifest[field]
                                 if not _PLATFORM.match(n))
        deps = []
        for section in ("packages", "packages-dev"):
            items = expect_type(path, doc.get(section) or [], list, section, lines.get((section,)))
            for i, pkg in enumerate(items):
                key = fmt_key(section, i)
                line = lines.get((section, i, "name"), lines.get((section, i)))
                expect_type(path, pkg, dict, key, line)
                name = normalize_name(Ecosystem.PACKAGIST,
                                      expect_type(path, pkg.get("name"), str, key + ".name", line))
                version = expect_type(path, pkg.get("version"), str, key + ".version",
                                      lines.get((section, i, "version"), line))
                source, locator, version_out = _source(pkg, version)
                sha = (pkg.get("dist") or {}).get("shasum") if isinstance(pkg.get("dist"), dict) else None
                deps.append(DependencyDoc(
                    ecosystem=Ecosystem.PACKAGIST, name=name, version=version_out, file=str(path),
                    line=line, key=key, direct=None if roots is None else name in roots,
                    source=source, locator=locator, dev=section == "packages-dev",  # type: ignore[arg-type]
                    hashes=(f"sha1:{sha}",) if sha else ()))
        return dedupe(deps)


def _source(pkg: dict, version: str) -> tuple[str, str | None, str | None]:
    dist = pkg.get("dist") if isinstance(pkg.get("dist"), dict) else {}
    src = pkg.get("source") if isinstance(pkg.get("source"), dict) else {}
    if dist.get("type") == "path":
        return "path", str(dist.get("url", "")), version
    # A branch (dev-main, 1.x-dev) is a moving git reference, not a release on the registry.
    if version.startswith("dev-") or version.endswith("-dev"):
        ref = src.get("reference") or dist.get("reference")
        url = src.get("url") or dist.get("url") or ""
        return ("git" if src.get("type") in ("git", None) else "url"), (f"{url}@{ref}" if ref else url), version
    if not dist and src.get("type") in ("git", "hg", "svn"):
        return "git", f"{src.get('url', '')}@{src.get('reference', '')}", version
    return "registry", None, version


PARSER = ComposerLock()
