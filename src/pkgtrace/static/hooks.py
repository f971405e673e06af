"""Files whose code runs when a package is installed or built, per ecosystem, with an excerpt.

pypi: setup.py (and its cmdclass), in-tree build backends, .pth files; npm: package.json
pre/post/install scripts, the files they run, binding.gyp; rubygems: the gemspec's extensions
(extconf.rb, Rakefile); packagist: composer.json scripts and composer plugins; crates.io:
build.rs (or Cargo.toml's `build`) and proc-macro crates.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pkgtrace.model import Ecosystem

EXCERPT_CHARS = 4000
_MAX_MANIFEST = 4 << 20

NPM_INSTALL_SCRIPTS = ("preinstall", "install", "postinstall", "prepare", "preprepare",
                       "postprepare", "preuninstall", "uninstall", "postuninstall")
COMPOSER_INSTALL_EVENTS = ("pre-install-cmd", "post-install-cmd", "pre-update-cmd",
                           "post-update-cmd", "post-autoload-dump", "pre-autoload-dump",
                           "post-package-install", "pre-package-install", "post-package-update",
                           "post-root-package-install", "post-create-project-cmd")


@dataclass
class Hook:
    kind: str             # setup.py, pth, build-backend, npm-script, binding.gyp, gem-extension,
                          # composer-script, composer-plugin, build.rs, proc-macro
    file: str             # the file that runs (or declares what runs)
    excerpt: str
    details: dict

    def as_dict(self) -> dict:
        return {"kind": self.kind, "file": self.file, "details": self.details,
                "excerpt": self.excerpt}


def package_root(paths: list[str]) -> str:
    """The single top-level folder all files share ('pkg-1.0/', 'package/'), or ''."""
    tops = {p.split("/", 1)[0] for p in paths if "/" in p}
    if len(tops) == 1 and all("/" in p for p in paths):
        return tops.pop() + "/"
    return ""


def _read(disk: Path) -> str:
    try:
        with open(disk, "rb") as f:
            return f.read(_MAX_MANIFEST).decode("utf-8", "replace")
    except OSError:
        return ""


def find_hooks(ecosystem: Ecosystem, files: dict[str, Path]) -> list[Hook]:
    """FILES maps archive paths to their extracted copies."""
    root = package_root([p for p in files if p != "metadata.gz"])
    top = {p[len(root):]: p for p in files if p.startswith(root)}
    finder = {Ecosystem.PYPI: _pypi, Ecosystem.NPM: _npm, Ecosystem.RUBYGEMS: _rubygems,
              Ecosystem.PACKAGIST: _packagist, Ecosystem.CRATES: _crates}[ecosystem]
    try:
        return finder(files, top)
    except (ValueError, KeyError, TypeError, AttributeError) as e:  # a manifest of odd shape
        return [Hook("error", "", "", {"error": f"{type(e).__name__}: {e}"})]


def _hook(kind: str, path: str, files: dict[str, Path], **details) -> Hook:
    text = _read(files[path]) if path in files else ""
    return Hook(kind, path, text[:EXCERPT_CHARS], details)


_CMDCLASS = re.compile(r"\bcmdclass\b")
_SETUP_RISKS = re.compile(r"\b(subprocess|os\.system|os\.popen|exec|eval|urllib|urlopen|requests|"
                          r"socket|base64|b64decode|marshal|zlib|__import__|compile)\b")


def _pypi(files: dict[str, Path], top: dict[str, str]) -> list[Hook]:
    hooks: list[Hook] = []
    if "setup.py" in top:
        text = _read(files[top["setup.py"]])
        hooks.append(Hook("setup.py", top["setup.py"], text[:EXCERPT_CHARS], {
            "cmdclass": bool(_CMDCLASS.search(text)),
            "uses": sorted(set(_SETUP_RISKS.findall(text))),
        }))
    if "pyproject.toml" in top:
        try:
            doc = tomllib.loads(_read(files[top["pyproject.toml"]]))
        except tomllib.TOMLDecodeError:
            doc = {}
        bs = doc.get("build-system") or {}
        if isinstance(bs, dict) and bs.get("backend-path"):
            hooks.append(_hook("build-backend", top["pyproject.toml"], files,
                               backend=bs.get("build-backend"), backend_path=bs.get("backend-path")))
    for p in files:
        if p.endswith(".pth"):
            hooks.append(_hook("pth", p, files))
    return hooks


def _npm(files: dict[str, Path], top: dict[str, str]) -> list[Hook]:
    hooks: list[Hook] = []
    if "package.json" not in top:
        return hooks
    try:
        pkg = json.loads(_read(files[top["package.json"]]))
    except ValueError:
        return [Hook("error", top["package.json"], "", {"error": "package.json is not JSON"})]
    scripts = pkg.get("scripts") if isinstance(pkg, dict) else None
    scripts = scripts if isinstance(scripts, dict) else {}
    root = top["package.json"][:-len("package.json")]
    for name in NPM_INSTALL_SCRIPTS:
        cmd = scripts.get(name)
        if not isinstance(cmd, str):
            continue
        hooks.append(Hook("npm-script", top["package.json"], cmd[:EXCERPT_CHARS],
                          {"script": name, "command": cmd[:EXCERPT_CHARS]}))
        for ref in _referenced_files(cmd):
            path = root + ref
            if path in files:
                hooks.append(_hook("npm-script-file", path, files, script=name))
    if "binding.gyp" in top and not any(s in scripts for s in ("install", "preinstall")):
        hooks.append(_hook("binding.gyp", top["binding.gyp"], files,
                           note="npm runs `node-gyp rebuild` at install"))
    return hooks


def _referenced_files(cmd: str) -> list[str]:
    try:
        words = shlex.split(cmd, posix=True)
    except ValueError:
        words = cmd.split()
    out = []
    for w in words:
        w = w.strip(";&|()")
        if re.search(r"\.(?:c?js|mjs|ts|sh|py|rb|ps1|bat|cmd)$", w) and ".." not in w:
            out.append(str(PurePosixPath(w.lstrip("./"))) if w.startswith("./") else w)
    return out


_GEM_EXTENSIONS = re.compile(r"^extensions:[ \t]*\n((?:[ \t]*-[ \t]*.+\n?)*)", re.M)


def _rubygems(files: dict[str, Path], top: dict[str, str]) -> list[Hook]:
    hooks: list[Hook] = []
    declared: list[str] = []
    if "metadata.gz" in files:
        spec = _read(files["metadata.gz"])
        m = _GEM_EXTENSIONS.search(spec)
        if m:
            declared = [ln.strip()[1:].strip().strip("'\"") for ln in m.group(1).splitlines()
                        if ln.strip().startswith("-")]
    for ext in declared:
        if ext in files:
            hooks.append(_hook("gem-extension", ext, files, declared_in="metadata.gz"))
        else:
            hooks.append(Hook("gem-extension", ext, "", {"declared_in": "metadata.gz",
                                                         "missing": True}))
    for p in files:
        name = PurePosixPath(p).name
        if name in ("extconf.rb", "mkrf_conf.rb") and p not in declared:
            hooks.append(_hook("gem-extension", p, files, declared_in=None))
    return hooks


def _packagist(files: dict[str, Path], top: dict[str, str]) -> list[Hook]:
    hooks: list[Hook] = []
    if "composer.json" not in top:
        return hooks
    path = top["composer.json"]
    try:
        doc = json.loads(_read(files[path]))
    except ValueError:
        return [Hook("error", path, "", {"error": "composer.json is not JSON"})]
    if not isinstance(doc, dict):
        return hooks
    scripts = doc.get("scripts")
    if isinstance(scripts, dict):
        for event, cmd in scripts.items():
            text = json.dumps(cmd)[:EXCERPT_CHARS]
            hooks.append(Hook("composer-script", path, text, {
                "event": event, "install_event": event in COMPOSER_INSTALL_EVENTS,
                "note": "root-package scripts run only when this package is the project"}))
    if doc.get("type") == "composer-plugin":
        extra = doc.get("extra") if isinstance(doc.get("extra"), dict) else {}
        hooks.append(Hook("composer-plugin", path, json.dumps(extra)[:EXCERPT_CHARS],
                          {"class": extra.get("class"),
                           "note": "plugins run inside composer at install time"}))
    return hooks


def _crates(files: dict[str, Path], top: dict[str, str]) -> list[Hook]:
    hooks: list[Hook] = []
    manifest: dict = {}
    if "Cargo.toml" in top:
        try:
            manifest = tomllib.loads(_read(files[top["Cargo.toml"]]))
        except tomllib.TOMLDecodeError:
            manifest = {}
    root = top.get("Cargo.toml", "Cargo.toml")[:-len("Cargo.toml")]
    package = manifest.get("package") if isinstance(manifest.get("package"), dict) else {}
    build = package.get("build")
    if build is False:
        pass
    elif isinstance(build, str):
        hooks.append(_hook("build.rs", root + build, files, declared_in="Cargo.toml"))
    elif "build.rs" in top:
        hooks.append(_hook("build.rs", top["build.rs"], files))
    lib = manifest.get("lib") if isinstance(manifest.get("lib"), dict) else {}
    if lib.get("proc-macro") or lib.get("proc_macro"):
        src = root + (lib.get("path") or "src/lib.rs")
        hooks.append(_hook("proc-macro", src, files,
                           note="proc macros run inside the compiler of every dependent"))
    return hooks
