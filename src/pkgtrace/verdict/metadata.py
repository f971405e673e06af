"""Metadata evidence: the package's name against popular names, its description, and what the
registry says about its history (release count, age, whether the previous release had install
hooks). Registry look-ups are best-effort: where a registry is unreachable or the package is
gone (as removed malware is), the checks that need it stay silent.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.parser import HeaderParser
from functools import lru_cache
from pathlib import Path
from typing import Callable
from urllib.parse import quote

import Levenshtein

from pkgtrace.verdict.evidence import Evidence

DATA = Path(__file__).parent / "data"


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.lower())


@lru_cache(maxsize=8)
def popular(ecosystem: str) -> dict[str, str]:
    """Popular names of ECOSYSTEM (normalized) -> their published summary."""
    path = DATA / f"popular-{ecosystem}.txt"  # name<TAB>summary per line
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, summary = line.partition("\t")
        out.setdefault(normalize(name), summary.strip())
    return out


_AFFIXES = ("py", "python-", "-py", "-python", "python3-", "node-", "-js", "js-", "s")


def typosquat_target(ecosystem: str, name: str) -> tuple[str, str] | None:
    """(popular name, how) when NAME imitates a popular name it is not."""
    pop = popular(ecosystem)
    n = normalize(name)
    if not pop or n in pop or n.startswith("@"):
        return None
    flat = n.replace("-", "")
    for p in pop:
        if len(p) < 4:
            continue
        if flat == p.replace("-", "") and flat != n:
            return p, "separators changed"
        if _transposed(n, p):
            return p, "two adjacent characters swapped"
        d = Levenshtein.distance(n, p, score_cutoff=2)
        if d == 1 and len(p) >= 5:
            return p, "one character changed"
        if d == 2 and len(p) >= 10 and Levenshtein.distance(flat, p.replace("-", "")) <= 2 \
                and _same_ends(n, p):
            return p, "two characters changed"
    for p in pop:
        if len(p) < 5:
            continue
        for a in _AFFIXES:
            if a.startswith("-") or a == "s":
                if n == p + a:
                    return p, f"suffix {a!r} added"
            elif n == a + p:
                return p, f"prefix {a!r} added"
    return None


def _transposed(a: str, b: str) -> bool:
    if len(a) != len(b) or len(a) < 5:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] \
        and a[diff[1]] == b[diff[0]]


def _same_ends(a: str, b: str) -> bool:
    return a[0] == b[0] or a[-1] == b[-1]


def own_description(ev: Evidence) -> str | None:
    """The summary the artifact declares for itself (PKG-INFO/METADATA, package.json)."""
    for cf in ev.code:
        name = cf.path.rsplit("/", 1)[-1]
        if name in ("PKG-INFO", "METADATA") and cf.path.count("/") <= 1:
            headers = HeaderParser().parsestr(cf.text.split("\n\n", 1)[0])
            return (headers.get("Summary") or "").strip()
        if name == "package.json" and cf.path.count("/") <= 1:
            import json
            try:
                doc = json.loads(cf.text)
            except ValueError:
                return None
            d = doc.get("description") if isinstance(doc, dict) else None
            return d.strip() if isinstance(d, str) else ""
    return None


# ---------------------------------------------------------------------------------------------
# Registry look-ups


def registry_metadata(ecosystem: str, name: str, version: str) -> dict | None:
    """{release_count, first_release, previous_version, previous_had_install_hook, summary}
    from the registry, or None when it cannot be had."""
    from pkgtrace.ecosystems import http
    from pkgtrace.ecosystems.interface import RegistryError
    try:
        if ecosystem == "pypi":
            from pkgtrace.ecosystems.pypi import base_url
            doc = http.get_json(f"{base_url()}/pypi/{quote(name)}/json")
            releases = {v: files for v, files in (doc.get("releases") or {}).items() if files}
            times = {v: min(f.get("upload_time_iso_8601") or "" for f in files)
                     for v, files in releases.items()}
            order = sorted(times, key=lambda v: times[v])
            prev = order[order.index(version) - 1] if version in order and order.index(version) else None
            return {"release_count": len(releases), "first_release": times[order[0]] if order else None,
                    "previous_version": prev, "previous_had_install_hook": None,
                    "summary": (doc.get("info") or {}).get("summary")}
        if ecosystem == "npm":
            from pkgtrace.ecosystems.npm import base_url
            doc = http.get_json(f"{base_url()}/{quote(name, safe='@')}", headers={
                "Accept": "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8"})
            versions = doc.get("versions") or {}
            order = list(versions)
            prev = order[order.index(version) - 1] if version in order and order.index(version) else None
            prev_hook = bool((versions.get(prev) or {}).get("hasInstallScript")) if prev else None
            return {"release_count": len(versions), "first_release": None,
                    "previous_version": prev, "previous_had_install_hook": prev_hook,
                    "summary": None}
    except (RegistryError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return None


# ---------------------------------------------------------------------------------------------
# Checks named by metadata rules: each returns (message, evidence) pairs.

Check = Callable[[Evidence], list[tuple[str, dict]]]


def check_typosquat(ev: Evidence) -> list[tuple[str, dict]]:
    hit = typosquat_target(ev.ecosystem, ev.name)
    if not hit:
        return []
    target, how = hit
    return [(f"name {ev.name!r} imitates the popular {target!r} ({how})",
             {"name": ev.name, "imitates": target, "how": how})]


_TRIVIAL = re.compile(r"^\s*(?:|test|testing|a|none|unknown|description|todo|my package|"
                      r"package|demo|example|hello|hello world|\.+|-+)\s*$", re.I)


def check_empty_description(ev: Evidence) -> list[tuple[str, dict]]:
    desc = (ev.metadata or {}).get("summary")
    if desc is None:
        desc = own_description(ev)
    if desc is None or not _TRIVIAL.match(desc):
        return []
    return [(f"empty or placeholder description: {desc!r}", {"description": desc})]


def check_copied_description(ev: Evidence) -> list[tuple[str, dict]]:
    desc = (ev.metadata or {}).get("summary") or own_description(ev)
    if not desc or len(desc) < 12:
        return []
    n = normalize(ev.name)
    pop = popular(ev.ecosystem)
    if n in pop:
        return []
    for p, summary in pop.items():
        if summary and summary.strip().lower() == desc.strip().lower():
            return [(f"description copied from the popular {p!r}", {"description": desc,
                                                                     "copied_from": p})]
    return []


def check_new_install_hook(ev: Evidence) -> list[tuple[str, dict]]:
    md = ev.metadata or {}
    if md.get("previous_had_install_hook") is not False:
        return []
    hooks = [f for f in ev.of("hook") if f.get("hook") in ("npm-script", "setup.py", "pth",
                                                            "gem-extension", "build.rs")
             and (f.get("hook") != "npm-script" or f.get("script") in
                  ("preinstall", "install", "postinstall"))]
    if not hooks:
        return []
    h = hooks[0]
    return [(f"install hook {h.get('script') or h.get('hook')} added since "
             f"{md.get('previous_version')}", {"file": h.get("file"), "hook": h.get("hook"),
                                               "command": h.get("command"),
                                               "previous_version": md.get("previous_version")})]


def check_single_new_release(ev: Evidence) -> list[tuple[str, dict]]:
    md = ev.metadata or {}
    if md.get("release_count") != 1:
        return []
    first = md.get("first_release")
    if first:
        try:
            age = datetime.now(timezone.utc) - datetime.fromisoformat(first.replace("Z", "+00:00"))
            if age.days > 90:
                return []
        except ValueError:
            pass
    return [("a brand-new package with a single release", {"release_count": 1,
                                                           "first_release": first})]


_NOT_SHADOWING = frozenset({"tests", "test", "docs", "doc", "examples", "example", "src", "scripts",
                            "build", "bin", "lib", "utils", "tools", "benchmarks", "setup"})


def check_shadows_popular_module(ev: Evidence) -> list[tuple[str, dict]]:
    if ev.ecosystem != "pypi":
        return []
    top = list(popular("pypi"))[:500]
    own = normalize(ev.name)
    paths = [c.path for c in ev.code]
    from pkgtrace.static.hooks import package_root
    root = package_root(paths)
    out = []
    for c in ev.code:
        rel = c.path[len(root):] if c.path.startswith(root) else c.path
        rel = rel[4:] if rel.startswith("src/") else rel
        parts = rel.split("/")
        if len(parts) == 2 and parts[1] == "__init__.py":
            mod = parts[0]
        elif len(parts) == 1 and rel.endswith(".py") and rel != "setup.py":
            mod = rel[:-3]
        else:
            continue
        m = normalize(mod)
        if m in _NOT_SHADOWING or m == own or m in own or own in m or m not in top:
            continue
        out.append((f"ships a top-level module {mod!r}, the import name of the popular {m!r}",
                    {"file": c.path, "module": mod}))
    return out[:3]


CHECKS: dict[str, Check] = {
    "shadows_popular_module": check_shadows_popular_module,
    "typosquat": check_typosquat,
    "empty_description": check_empty_description,
    "copied_description": check_copied_description,
    "new_install_hook": check_new_install_hook,
    "single_new_release": check_single_new_release,
}
