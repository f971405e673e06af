"""What a release declares about itself in its own manifest: summary, contact e-mails and the
dependencies it asks installers to fetch (PKG-INFO/METADATA and setup.py for PyPI, package.json
for npm). Read from the code files the verdict already holds; nothing is fetched.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from email.parser import HeaderParser

from pkgtrace.verdict.evidence import CodeFile, Evidence

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# setup.py: install_requires entries with a direct reference, and dependency_links entries
_SETUP_URL_REQ = re.compile(r"""['"]([\w.\[\],-]+)\s*@\s*((?:git\+)?(?:https?|git|ssh|file)://[^'"\s]+)['"]""")
_SETUP_LINKS = re.compile(r"dependency_links\s*=\s*\[([^\]]{0,4000})\]")
_SETUP_EMAIL = re.compile(r"""(?:author|maintainer)_email\s*=\s*['"]([^'"]{0,200})['"]""")
_QUOTED_URL = re.compile(r"""['"]((?:git\+)?(?:https?|git|ssh)://[^'"\s]+)['"]""")
_NPM_DEP_KINDS = ("dependencies", "optionalDependencies", "peerDependencies")  # what installs


@dataclass
class Manifest:
    file: str | None = None
    summary: str | None = None
    emails: list[str] = field(default_factory=list)
    # (dependency name, where it comes from) for dependencies given as URLs or git repositories
    url_dependencies: list[tuple[str, str]] = field(default_factory=list)


def manifest(ev: Evidence) -> Manifest:
    top = [c for c in ev.code if c.path.count("/") <= 1]
    for cf in top:
        name = cf.path.rsplit("/", 1)[-1]
        if name in ("PKG-INFO", "METADATA"):
            out = _pkg_info(cf)
            setup = next((c for c in top if c.path.rsplit("/", 1)[-1] == "setup.py"), None)
            if setup is not None:
                _setup_py(setup, out)
            return out
        if name == "package.json":
            return _package_json(cf)
    return Manifest()


def _pkg_info(cf: CodeFile) -> Manifest:
    headers = HeaderParser().parsestr(cf.text.split("\n\n", 1)[0])
    out = Manifest(cf.path, (headers.get("Summary") or "").strip())
    for h in ("Author-email", "Maintainer-email"):
        out.emails += _EMAIL.findall(headers.get(h) or "")
    for req in headers.get_all("Requires-Dist") or []:
        name, at, where = req.partition("@")
        if at and "://" in where:
            out.url_dependencies.append((name.strip().split(";")[0].strip(), where.split(";")[0].strip()))
    return out


def _setup_py(cf: CodeFile, out: Manifest) -> None:
    text = cf.text[:200_000]
    for m in _SETUP_EMAIL.finditer(text):
        out.emails += [e for e in _EMAIL.findall(m.group(1)) if e not in out.emails]
    for m in _SETUP_URL_REQ.finditer(text):
        out.url_dependencies.append((m.group(1), m.group(2)))
    for m in _SETUP_LINKS.finditer(text):
        out.url_dependencies += [("dependency_links", u) for u in _QUOTED_URL.findall(m.group(1))]


def _package_json(cf: CodeFile) -> Manifest:
    try:
        doc = json.loads(cf.text)
    except ValueError:
        return Manifest(cf.path)
    if not isinstance(doc, dict):
        return Manifest(cf.path)
    d = doc.get("description")
    out = Manifest(cf.path, d.strip() if isinstance(d, str) else "")
    people = [doc.get("author"), *_list(doc.get("maintainers")), *_list(doc.get("contributors"))]
    for p in people:
        text = p.get("email") if isinstance(p, dict) else p
        if isinstance(text, str):
            out.emails += _EMAIL.findall(text)
    for kind in _NPM_DEP_KINDS:
        deps = doc.get(kind)
        if not isinstance(deps, dict):
            continue
        for name, spec in deps.items():
            if isinstance(spec, str) and _npm_remote(spec.strip()):
                out.url_dependencies.append((str(name), spec.strip()))
    return out


def _npm_remote(spec: str) -> bool:
    """A dependency npm fetches from somewhere other than the registry: a URL, a git repository
    or a GitHub-style `user/repo` shorthand (not `file:`/`link:`/`workspace:`, which stay local)."""
    return bool(re.match(r"(?:https?://|git\+|git://|ssh://|github:|gitlab:|bitbucket:|gist:)", spec)
                or re.fullmatch(r"[\w.-]+/[\w.-]+(?:#\S*)?", spec))


def _list(x) -> list:
    return x if isinstance(x, list) else []
