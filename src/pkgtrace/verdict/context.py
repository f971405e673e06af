"""Where a code file sits and whether anything runs it: the context a finding is weighed in.

A capability in a project's own tests, docs, examples, optional integrations (contrib), developer
scripts, vendored third-party code or generated/minified bundles is not what the package does to
whoever installs it; the same capability in code that runs at install or import is. Because a
package that knows this could hide its payload in `tests/` and import it from setup.py, the
context only counts for files that install- and import-time code does not reach: every file
reachable through imports/requires from an install or import file is shipping code, wherever it
sits.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

# How much of a rule's weight survives in each context (shipping code: all of it).
DISCOUNT = {"tests": 0.25, "docs": 0.25, "examples": 0.25, "contrib": 0.25, "tooling": 0.25,
            "vendored": 0.25, "generated": 0.5}

_DIRS = {
    # an evaluation suite is a test harness (chimera-agent's eval/ holds prompt-injection cases)
    "tests": {"test", "tests", "testing", "__tests__", "spec", "specs", "__mocks__", "e2e",
              "test_data", "testdata", "fixtures", "eval", "evals", "evaluation"},
    "docs": {"doc", "docs", "documentation", "_docs", "sphinx", "man"},
    "examples": {"example", "examples", "sample", "samples", "demo", "demos", "tutorial",
                 "tutorials", "notebooks", "cookbook", "benchmarks", "benchmark", "bench"},
    "contrib": {"contrib", "integrations", "extras"},
    "tooling": {"scripts", "tools", "devtools", "ci", ".github", ".circleci", "dev-scripts"},
    "vendored": {"vendor", "vendored", "_vendor", "third_party", "thirdparty", "3rdparty",
                 "external", "externals", "node_modules", "bower_components", "_vendored",
                 # Yarn's checked-in release, plugins and SDKs (`.yarn/releases/yarn-4.0.2.cjs`);
                 # a virtualenv shipped by mistake (product-classifier's venv/Lib/site-packages)
                 ".yarn", "site-packages", "dist-packages"},
}
# a copy of installed dependencies under another name (ember-try's `.node_modules.ember-try`)
_VENDORED_DIR = re.compile(r"(?:^|[._-])node_modules(?:$|[._-])")
_TEST_NAME = re.compile(r"^(?:test_.*\.py|.*_test\.py|conftest\.py|.*\.(?:test|spec)\.[cm]?[jt]sx?)$")
# TypeScript declarations (.d.ts) are types only: nothing in them ever runs
_GENERATED_NAME = re.compile(r"(?:\.min\.[cm]?js|[.-]bundle\.[cm]?js|_pb2(?:_grpc)?\.py|\.d\.[cm]?ts)$")


def path_context(rel: str, minified: bool = False) -> str:
    """The context of a file from its path inside the package ('' for shipping code)."""
    p = PurePosixPath(rel.lower())
    for part in p.parts[:-1]:
        for ctx, names in _DIRS.items():
            if part in names:
                return ctx
        if _VENDORED_DIR.search(part):
            return "vendored"
    if _TEST_NAME.match(p.name):
        return "tests"
    # a wheel's METADATA and an sdist's PKG-INFO hold the README: text pip reads, nothing runs
    if p.name == "pkg-info" or (p.name == "metadata" and p.parent.name.endswith(".dist-info")):
        return "docs"
    if minified or _GENERATED_NAME.search(p.name):
        return "generated"
    return ""


# ---------------------------------------------------------------------------------------------
# Reachability: which files install- and import-time code pulls in.

_PY_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w., \t*]+)|"
                        r"import[ \t]+([\w., \t]+))", re.M)
_PY_DYNAMIC = re.compile(r"""(?:import_module|__import__|run_module|run_path|exec\(\s*open|"""
                         r"""open)\(\s*[rbuf]?['"]([\w./-]+?)(?:\.py)?['"]""")
_JS_REQUIRE = re.compile(r"""(?:require\s*\(\s*|\bfrom\s+|\bimport\s*\(?\s*)['"`](\.{1,2}/[^'"`]+)['"`]""")


def reached(files: dict[str, tuple[str, str]], roots: list[str], ecosystem: str) -> set[str]:
    """Archive paths reachable by imports from ROOTS. FILES maps archive path -> (path relative
    to the package root, text)."""
    if ecosystem == "pypi":
        modules = _py_modules(files)
        step = lambda path: _py_targets(path, files, modules)  # noqa: E731
    elif ecosystem == "npm":
        by_rel = {rel: path for path, (rel, _) in files.items()}
        step = lambda path: _js_targets(path, files, by_rel)  # noqa: E731
    else:
        return set(roots)
    seen = set(roots)
    todo = list(roots)
    while todo and len(seen) < 5000:
        for nxt in step(todo.pop()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _py_modules(files: dict[str, tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path, (rel, _) in files.items():
        if not rel.endswith(".py"):
            continue
        mod = rel[:-3]
        for base in (mod, mod[4:] if mod.startswith("src/") else None, mod[4:] if mod.startswith("lib/") else None):
            if not base:
                continue
            name = base.replace("/", ".")
            name = name[:-len(".__init__")] if name.endswith(".__init__") else name
            out.setdefault(name, path)
    return out


def _py_targets(path: str, files: dict[str, tuple[str, str]], modules: dict[str, str]) -> list[str]:
    rel, text = files[path]
    pkg = rel[:-3].replace("/", ".")
    for prefix in ("src.", "lib."):
        if pkg.startswith(prefix):
            pkg = pkg[len(prefix):]
    parts = pkg.split(".")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    else:
        parts = parts[:-1]  # a module's package
    names: list[str] = []
    for m in _PY_IMPORT.finditer(text):
        if m.group(3):
            names.extend(n.split(" as ")[0].strip() for n in m.group(3).split(","))
            continue
        base, what = m.group(1), m.group(2)
        dots = len(base) - len(base.lstrip("."))
        if dots:
            up = parts[:len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
            base = ".".join([*up, base.lstrip(".")]).strip(".")
        names.append(base)
        names.extend(f"{base}.{w.split(' as ')[0].strip()}".strip(".")
                     for w in what.replace("(", "").split(","))
    for m in _PY_DYNAMIC.finditer(text):
        names.append(m.group(1).replace("/", ".").strip("."))
    out = []
    for n in names:
        while n:
            if n in modules:
                out.append(modules[n])
            n = n.rpartition(".")[0]  # importing a.b.c runs a/__init__ and a/b/__init__ too
    return out


def _js_targets(path: str, files: dict[str, tuple[str, str]], by_rel: dict[str, str]) -> list[str]:
    rel, text = files[path]
    here = PurePosixPath(rel).parent
    out = []
    for m in _JS_REQUIRE.finditer(text):
        target = _norm(here / m.group(1))
        for cand in (target, f"{target}.js", f"{target}.cjs", f"{target}.mjs", f"{target}.json",
                     f"{target}/index.js"):
            if cand in by_rel:
                out.append(by_rel[cand])
                break
    return out


def _norm(p: PurePosixPath) -> str:
    parts: list[str] = []
    for part in p.parts:
        if part == "..":
            if parts:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)
