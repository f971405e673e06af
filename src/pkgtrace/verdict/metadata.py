"""Metadata evidence: the package's name against popular names, its description, and what the
registry says about its history (release count, age, whether the previous release had install
hooks: ecosystems.release_history, handed in by the caller). Where the history could not be had
(a registry unreachable, a package gone as removed malware is), the checks that need it stay silent.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from email.parser import HeaderParser
from functools import lru_cache
from pathlib import Path
from typing import Callable

from pkgtrace.verdict.evidence import Evidence
from pkgtrace.verdict.manifest import manifest
from pkgtrace.verdict.typosquat import imitation, normalize

DATA = Path(__file__).parent / "data"


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
        out.setdefault(normalize(name, ecosystem), summary.strip())
    return out


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
# Checks named by metadata rules: each returns (message, evidence) pairs.

Check = Callable[[Evidence], list[tuple[str, dict]]]


def check_typosquat(ev: Evidence) -> list[tuple[str, dict]]:
    hit = imitation(ev.ecosystem, ev.name, popular(ev.ecosystem))
    if not hit:
        return []
    # a close imitation is rarely chance (verdict/typosquat.py): it counts as high on its own
    return [(f"name {ev.name!r} imitates the popular {hit.target!r} ({hit.how})",
             {"name": ev.name, "imitates": hit.target, "how": hit.how,
              **({"severity": "high"} if hit.close else {})})]


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
    n = normalize(ev.name, ev.ecosystem)
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
            # age when this release appeared (when known): the same answer on any later day
            at = md.get("release_time")
            now = _when(at) if at else datetime.now(timezone.utc)
            age = now - _when(first)
            if age.days > 90:
                return []
        except ValueError:
            pass
    return [("a brand-new package with a single release", {"release_count": 1,
                                                           "first_release": first})]


def _when(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


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
    # an sdist's src/ layout installs its packages at the top; a wheel installs what it holds
    # as it is (a wheel's `src/mcp/` is `src.mcp`, token-optimise)
    tops = {p.split("/")[0] for p in paths}
    wheel = root == "" and any(t.endswith(".dist-info") for t in tops) \
        and not tops & {"setup.py", "pyproject.toml", "setup.cfg"}
    out = []
    for c in ev.code:
        rel = c.path[len(root):] if c.path.startswith(root) else c.path
        rel = rel[4:] if rel.startswith("src/") and not wheel else rel
        parts = rel.split("/")
        if len(parts) == 2 and parts[1] == "__init__.py":
            mod = parts[0]
        elif len(parts) == 1 and rel.endswith(".py") and rel != "setup.py":
            mod = rel[:-3]
        else:
            continue
        m = normalize(mod)
        # imports are case-sensitive on every file system (without PYTHONCASEOK): `LangChaiN`
        # is never what `import langchain` loads (genailib)
        if mod != mod.lower() or m in _NOT_SHADOWING or m == own or m in own or own in m or m not in top:
            continue
        out.append((f"ships a top-level module {mod!r}, the import name of the popular {m!r}",
                    {"file": c.path, "module": mod}))
    return out[:3]


_PLACEHOLDER_DOMAIN = re.compile(r"(?:^|\.)(?:example\.(?:com|org|net)|test\.com|domain\.com|"
                                 r"yourdomain\.com|email\.example|localhost|invalid|test|example)$")
_PLACEHOLDER_LOCAL = re.compile(r"^(?:you|your[._-]?(?:name|email|mail)?|author|name|user|"
                                r"test|xxx+|x+|a+|email|mail|me|admin)$")


@lru_cache(maxsize=1)
def _disposable_domains() -> frozenset[str]:
    lines = (DATA / "disposable-email-domains.txt").read_text().splitlines()
    return frozenset(x.strip().lower() for x in lines if x.strip() and not x.startswith("#"))


def _disposable(domain: str) -> bool:
    parts = domain.split(".")
    return any(".".join(parts[i:]) in _disposable_domains() for i in range(len(parts) - 1))


def check_throwaway_email(ev: Evidence) -> list[tuple[str, dict]]:
    """An author address at a throw-away mailbox service (medium) or a template placeholder
    (`you@example.com`, `test@test.com`: low, many hobby projects keep the template's)."""
    m = manifest(ev)
    for email in dict.fromkeys(e.lower() for e in m.emails):
        local, _, domain = email.rpartition("@")
        if _disposable(domain):
            return [(f"author e-mail {email!r} is at a throw-away mailbox service",
                     {"file": m.file, "email": email, "severity": "medium"})]
    for email in dict.fromkeys(e.lower() for e in m.emails):
        local, _, domain = email.rpartition("@")
        if _PLACEHOLDER_DOMAIN.search(domain) or (_PLACEHOLDER_LOCAL.match(local)
                                                   and domain.split(".")[0] == local):
            return [(f"author e-mail {email!r} is a placeholder", {"file": m.file, "email": email})]
    return []


_RAW_IP_URL = re.compile(r"^(?:git\+)?[a-z]+://(?:[^/@]*@)?\d{1,3}(?:\.\d{1,3}){3}(?:[:/]|$)")


def check_url_dependency(ev: Evidence) -> list[tuple[str, dict]]:
    """Dependencies fetched from a URL or git repository rather than the registry: the code
    installed is whatever that address serves that day, unreviewed by the registry. Plain
    http:// or a raw IP address (anyone on the path can swap it) counts high."""
    m = manifest(ev)
    out = []
    for name, where in m.url_dependencies[:5]:
        w = where.lower()
        weak = w.startswith(("http://", "git+http://", "git://")) or bool(_RAW_IP_URL.match(w))
        out.append((f"dependency {name!r} is fetched from {where!r}, not the registry",
                    {"file": m.file, "dependency": name, "source": where,
                     **({"severity": "high"} if weak else {})}))
    return out


_BINARY = re.compile(r"^(?:PE32\+? executable|ELF \d+-bit|Mach-O)")
_LIBRARY = re.compile(r"\(DLL\)|shared object|shared library|dynamically linked shared|bundle")
# extensions that promise something a program is not
_NOT_A_PROGRAM = re.compile(r"\.(?:txt|md|rst|json|ya?ml|toml|ini|cfg|csv|xml|html?|css|js|ts|py|"
                            r"pyi|rb|php|png|jpe?g|gif|ico|svg|bmp|webp|mp3|wav|pdf|lock|log)$", re.I)


def check_bundled_binary(ev: Evidence) -> list[tuple[str, dict]]:
    """Native programs shipped in a source release. A library (.so, .dll, .pyd) or a CLI's own
    build is common and counts low; a program named as text, an image or a script is hiding
    (high) wherever it sits."""
    disguised, programs = [], []
    for f in ev.of("file"):
        kind = f.get("type") or ""
        if not _BINARY.match(kind):
            continue
        path = f.get("file") or ""
        if _NOT_A_PROGRAM.search(path):
            disguised.append((path, kind))
        elif not _LIBRARY.search(kind):
            programs.append((path, kind))
    if disguised:
        path, kind = disguised[0]
        return [(f"{path} is a native program ({kind.split(',')[0]}) named as something else",
                 {"file": path, "type": kind[:120], "severity": "high"})]
    return [(f"ships the native program {path} ({kind.split(',')[0]})",
             {"file": path, "type": kind[:120]}) for path, kind in programs[:3]]


CHECKS: dict[str, Check] = {
    "shadows_popular_module": check_shadows_popular_module,
    "typosquat": check_typosquat,
    "empty_description": check_empty_description,
    "copied_description": check_copied_description,
    "new_install_hook": check_new_install_hook,
    "single_new_release": check_single_new_release,
    "throwaway_email": check_throwaway_email,
    "url_dependency": check_url_dependency,
    "bundled_binary": check_bundled_binary,
}
