#!/usr/bin/env python3
"""bench/lockfile_speed: pkgtrace's lockfile readers against the bare decode of the same file, same run.

    .venv/bin/python bench/lockfile_speed.py [--deps 20000] [--repeat 3] [--growth] [--json]
                                             [--no-hostile] [--hostile-timeout 60]

Lockfiles: one per format below, generated in a temporary folder (removed at the end) with
--deps dependencies each, seeded so that every run reads the same bytes, in the shapes the real
tools write (tests/fixtures/lockfiles/real): names of 1 to 4 words, a quarter of npm's scoped,
nested npm copies, integrity hashes, 2 to 4 edges per package, pip-compile's `# via` comments.
No manifest beside them (package.json, pyproject.toml...): direct dependencies come from the
lockfile alone.

Rows, for each file:
  reader     pkgtrace.lockfiles.read_lockfile(path): what `pkgtrace deps` and `pkgtrace verify`
             run on every lockfile (read, detect the format, parse, deduplicate)
  baseline   reading the same file and decoding it bare: json.loads, the YAML loader the readers
             use (PyYAML's C safe loader), tomllib.loads, or splitting the lines (yarn.lock v1,
             requirements.txt, Gemfile.lock: formats with no decoder to compare with, so their
             ratio is the whole parse against a split, not an overhead)
Printed: dependencies found, CPU seconds (time.process_time, best of --repeat) and peak traced
memory (tracemalloc, a separate call) of both, and the reader/baseline ratio of each.
--growth adds the reader's CPU time at --deps/2 and the ratio t(N)/t(N/2): about 2 is linear.

Hostile rows (files a malicious pull request could add; CI reads them on the next build) are
run each in a child process with a CPU-time limit (--hostile-timeout) and a 4 GiB address-space
limit, so the bench finishes in bounded time whatever the readers do; a row that hits a limit
prints it instead of a figure. A refused file (LockfileError) is the expected answer for some.
"""

from __future__ import annotations

import argparse
import base64
import gc
import hashlib
import json
import random
import subprocess
import sys
import tempfile
import time
import tomllib
import tracemalloc
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent

WORDS = ("core util http json parse fast tiny stream async event path glob color log debug config "
         "string array object date time crypto hash buffer test mock lint type schema yaml toml "
         "request client server socket cache queue worker cli args env file fs watch build bundle "
         "plugin loader react vue node web api auth token jwt uuid semver diff merge deep clone").split()


# --- generators: (rnd, n) -> (file name, text) -------------------------------------------------

def _names(rnd: random.Random, n: int, *, scoped: float = 0.0, sep: str = "-") -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        name = sep.join(rnd.choice(WORDS) for _ in range(rnd.randint(1, 3)))
        if rnd.random() < 0.5:
            name += f"{sep}{rnd.randint(0, 999)}"
        if rnd.random() < scoped:
            name = f"@{rnd.choice(WORDS)}/{name}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def _version(rnd: random.Random) -> str:
    return f"{rnd.randint(0, 12)}.{rnd.randint(0, 30)}.{rnd.randint(0, 40)}"


def _sha512(rnd: random.Random) -> str:
    return "sha512-" + base64.b64encode(rnd.randbytes(64)).decode()


def _hex(rnd: random.Random, n: int = 32) -> str:
    return rnd.randbytes(n).hex()


def _edges(rnd: random.Random, pkgs: list, i: int) -> list:
    """2 to 4 other packages, the way a dependency graph fans out."""
    return [pkgs[j] for j in rnd.sample(range(len(pkgs)), min(len(pkgs), rnd.randint(2, 4))) if j != i]


def gen_package_lock(rnd: random.Random, n: int) -> tuple[str, str]:
    names = _names(rnd, n, scoped=0.25)
    pkgs = [(nm, _version(rnd)) for nm in names]
    packages: dict = {"": {"name": "bench", "version": "1.0.0",
                           "dependencies": {nm: f"^{v}" for nm, v in pkgs[:40]},
                           "devDependencies": {nm: f"^{v}" for nm, v in pkgs[40:60]}}}
    for i, (nm, v) in enumerate(pkgs):
        # a tenth are nested copies under another package's node_modules, as npm dedupes
        where = f"node_modules/{nm}" if i < 60 or rnd.random() > 0.1 else \
            f"node_modules/{pkgs[rnd.randrange(60)][0]}/node_modules/{nm}"
        base = nm.rsplit("/", 1)[-1]
        entry: dict = {"version": v, "resolved": f"https://registry.npmjs.org/{nm}/-/{base}-{v}.tgz",
                       "integrity": _sha512(rnd), "license": "MIT"}
        if 40 <= i < 60 or rnd.random() < 0.3:
            entry["dev"] = True
        deps = _edges(rnd, pkgs, i)
        if deps:
            entry["dependencies"] = {d: f"^{dv}" for d, dv in deps}
        if rnd.random() < 0.2:
            entry["engines"] = {"node": ">=14"}
        packages[where] = entry
    doc = {"name": "bench", "version": "1.0.0", "lockfileVersion": 3, "requires": True, "packages": packages}
    return "package-lock.json", json.dumps(doc, indent=2) + "\n"


def _yq(s: str) -> str:
    return f"'{s}'" if s.startswith("@") else s


def gen_pnpm(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n, scoped=0.25)]
    out = ["lockfileVersion: '9.0'", "", "settings:", "  autoInstallPeers: true",
           "  excludeLinksFromLockfile: false", "", "importers:", "", "  .:", "    dependencies:"]
    for nm, v in pkgs[:40]:
        out += [f"      {_yq(nm)}:", f"        specifier: ^{v}", f"        version: {v}"]
    out += ["", "packages:", ""]
    for nm, v in pkgs:
        out += [f"  {_yq(nm + '@' + v)}:", f"    resolution: {{integrity: {_sha512(rnd)}}}"]
        if rnd.random() < 0.2:
            out += ["    engines: {node: '>=14'}"]
        out += [""]
    out += ["snapshots:", ""]
    for i, (nm, v) in enumerate(pkgs):
        out += [f"  {_yq(nm + '@' + v)}:"]
        deps = _edges(rnd, pkgs, i)
        if deps:
            out += ["    dependencies:"] + [f"      {_yq(d)}: {dv}" for d, dv in deps]
        else:
            out[-1] += " {}"
        out += [""]
    return "pnpm-lock.yaml", "\n".join(out)


def _yarn_key(nm: str, rng: str) -> str:
    return f'"{nm}@{rng}"' if nm.startswith("@") else f"{nm}@{rng}"


def gen_yarn_classic(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n, scoped=0.25)]
    out = ["# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.", "# yarn lockfile v1", "", ""]
    for i, (nm, v) in enumerate(sorted(pkgs)):
        base = nm.rsplit("/", 1)[-1]
        keys = [_yarn_key(nm, f"^{v}")] + ([_yarn_key(nm, v)] if rnd.random() < 0.3 else [])
        out += [", ".join(keys) + ":", f'  version "{v}"',
                f'  resolved "https://registry.yarnpkg.com/{nm}/-/{base}-{v}.tgz#{_hex(rnd, 20)}"',
                f"  integrity {_sha512(rnd)}"]
        deps = _edges(rnd, pkgs, i)
        if deps:
            out += ["  dependencies:"] + [f'    {json.dumps(d) if d.startswith("@") else d} "^{dv}"'
                                          for d, dv in deps]
        out += [""]
    return "yarn.lock", "\n".join(out)


def gen_yarn_berry(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n, scoped=0.25)]
    out = ["# This file is generated by running \"yarn install\" inside your project.",
           "# Manual changes might be lost - proceed with caution!", "", "__metadata:", "  version: 8",
           "  cacheKey: 10c0", "", '"bench@workspace:.":', "  version: 0.0.0-use.local",
           '  resolution: "bench@workspace:."', "  dependencies:"]
    out += [f'    {json.dumps(nm)}: "npm:^{v}"' for nm, v in pkgs[:40]]
    out += ["  languageName: unknown", "  linkType: soft", ""]
    for i, (nm, v) in enumerate(sorted(pkgs)):
        out += [f'"{nm}@npm:^{v}":', f"  version: {v}", f'  resolution: "{nm}@npm:{v}"']
        deps = _edges(rnd, pkgs, i)
        if deps:
            out += ["  dependencies:"] + [f'    {json.dumps(d)}: "npm:^{dv}"' for d, dv in deps]
        out += [f"  checksum: 10c0/{_hex(rnd, 64)}", "  languageName: node", "  linkType: hard", ""]
    return "yarn.lock", "\n".join(out)


def gen_poetry(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n)]
    out = ["# This file is automatically @generated by Poetry 2.1.3 and should not be changed by hand.", ""]
    for i, (nm, v) in enumerate(sorted(pkgs)):
        out += ["[[package]]", f'name = "{nm}"', f'version = "{v}"', f'description = "The {nm} library."',
                "optional = false", 'python-versions = ">=3.9"',
                f'groups = ["{"dev" if rnd.random() < 0.2 else "main"}"]', "files = [",
                f'    {{file = "{nm.replace("-", "_")}-{v}-py3-none-any.whl", hash = "sha256:{_hex(rnd)}"}},',
                f'    {{file = "{nm.replace("-", "_")}-{v}.tar.gz", hash = "sha256:{_hex(rnd)}"}},', "]", ""]
        deps = _edges(rnd, pkgs, i)
        if deps:
            out += ["[package.dependencies]"] + [f'{d} = ">={dv}"' for d, dv in deps] + [""]
    out += ["[metadata]", 'lock-version = "2.1"', 'python-versions = ">=3.11"',
            f'content-hash = "{_hex(rnd)}"', ""]
    return "poetry.lock", "\n".join(out)


def gen_uv(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n)]
    out = ["version = 1", "revision = 2", 'requires-python = ">=3.11"', "", "[[package]]", 'name = "bench"',
           'version = "0.1.0"', 'source = { virtual = "." }', "dependencies = ["]
    out += [f'    {{ name = "{nm}" }},' for nm, _ in pkgs[:40]] + ["]", ""]
    files = "https://files.pythonhosted.org/packages"
    for i, (nm, v) in enumerate(sorted(pkgs)):
        fn = nm.replace("-", "_")
        out += ["[[package]]", f'name = "{nm}"', f'version = "{v}"',
                'source = { registry = "https://pypi.org/simple" }']
        deps = _edges(rnd, pkgs, i)
        if deps:
            out += ["dependencies = ["] + [
                f'    {{ name = "{d}" }},' if rnd.random() < 0.8 else
                f'    {{ name = "{d}", marker = "sys_platform == \'win32\'" }},' for d, _ in deps] + ["]"]
        out += [f'sdist = {{ url = "{files}/{_hex(rnd, 2)}/{fn}-{v}.tar.gz", hash = "sha256:{_hex(rnd)}", '
                f'size = {rnd.randint(1000, 10**6)}, upload-time = "2024-05-01T10:00:00.000Z" }}', "wheels = [",
                f'    {{ url = "{files}/{_hex(rnd, 2)}/{fn}-{v}-py3-none-any.whl", hash = "sha256:{_hex(rnd)}", '
                f'size = {rnd.randint(1000, 10**6)}, upload-time = "2024-05-01T10:00:00.000Z" }},', "]", ""]
    return "uv.lock", "\n".join(out)


def gen_requirements(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n)]
    out = ["#", "# This file is autogenerated by pip-compile with Python 3.12", "#",
           "#    pip-compile --generate-hashes requirements.in", "#"]
    for i, (nm, v) in enumerate(sorted(pkgs)):
        out += [f"{nm}=={v} \\", f"    --hash=sha256:{_hex(rnd)} \\", f"    --hash=sha256:{_hex(rnd)}"]
        via = _edges(rnd, pkgs, i)[:2] if i % 50 else []
        out += ["    # via -r requirements.in"] if not via else \
            ["    # via"] + [f"    #   {d}" for d, _ in via]
    return "requirements.txt", "\n".join(out) + "\n"


def gen_cargo(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n, sep="_")]
    out = ["# This file is automatically @generated by Cargo.", "# It is not intended for manual editing.",
           "version = 4", "", "[[package]]", 'name = "bench"', 'version = "0.1.0"', "dependencies = ["]
    out += [f' "{nm}",' for nm, _ in pkgs[:40]] + ["]", ""]
    for i, (nm, v) in enumerate(sorted(pkgs)):
        out += ["[[package]]", f'name = "{nm}"', f'version = "{v}"',
                'source = "registry+https://github.com/rust-lang/crates.io-index"', f'checksum = "{_hex(rnd)}"']
        deps = _edges(rnd, pkgs, i)
        if deps:
            out += ["dependencies = ["] + [f' "{d}",' for d, _ in deps] + ["]"]
        out += [""]
    return "Cargo.lock", "\n".join(out)


def gen_composer(rnd: random.Random, n: int) -> tuple[str, str]:
    names = [f"{rnd.choice(WORDS)}/{nm}" for nm in _names(rnd, n)]
    pkgs = []
    for i, nm in enumerate(names):
        v = _version(rnd)
        pkgs.append({
            "name": nm, "version": f"v{v}" if rnd.random() < 0.5 else v,
            "source": {"type": "git", "url": f"https://github.com/{nm}.git", "reference": _hex(rnd, 20)},
            "dist": {"type": "zip", "url": f"https://api.github.com/repos/{nm}/zipball/{_hex(rnd, 20)}",
                     "reference": _hex(rnd, 20), "shasum": ""},
            "require": {"php": ">=8.1", **{names[j]: "^1.0" for j in rnd.sample(range(n), min(n, 3)) if j != i}},
            "type": "library", "autoload": {"psr-4": {nm.replace("/", "\\") + "\\": "src/"}},
            "license": ["MIT"], "description": f"The {nm} library.",
            "time": "2024-05-01T10:00:00+00:00"})
    cut = n - n // 5
    doc = {"_readme": ["This file locks the dependencies of your project to a known state"],
           "content-hash": _hex(rnd, 16), "packages": pkgs[:cut], "packages-dev": pkgs[cut:],
           "aliases": [], "minimum-stability": "stable", "stability-flags": [], "prefer-stable": False,
           "prefer-lowest": False, "platform": {"php": ">=8.1"}, "platform-dev": [],
           "plugin-api-version": "2.6.0"}
    return "composer.lock", json.dumps(doc, indent=4) + "\n"


def gen_gemfile(rnd: random.Random, n: int) -> tuple[str, str]:
    pkgs = [(nm, _version(rnd)) for nm in _names(rnd, n, sep="_")]
    out = ["GEM", "  remote: https://rubygems.org/", "  specs:"]
    for i, (nm, v) in enumerate(sorted(pkgs)):
        out += [f"    {nm} ({v}{'-x86_64-linux' if rnd.random() < 0.05 else ''})"]
        out += [f"      {d} (>= {dv})" for d, dv in _edges(rnd, pkgs, i)]
    out += ["", "PLATFORMS", "  ruby", "  x86_64-linux", "", "DEPENDENCIES"]
    out += [f"  {nm} (~> {v})" for nm, v in sorted(pkgs[:40])]
    out += ["", "BUNDLED WITH", "   2.5.22", ""]
    return "Gemfile.lock", "\n".join(out)


def _yaml_load(text: str) -> object:
    import yaml

    from pkgtrace.lockfiles.common import _YamlLoader  # the loader the readers use
    return list(yaml.load_all(text, Loader=_YamlLoader))


def _lines(text: str) -> object:
    return text.split("\n")


# (row, generator, bare decode)
FORMATS: list[tuple[str, Callable[[random.Random, int], tuple[str, str]], Callable[[str], object]]] = [
    ("package-lock.json v3", gen_package_lock, json.loads),
    ("pnpm-lock.yaml v9", gen_pnpm, _yaml_load),
    ("yarn.lock v1", gen_yarn_classic, _lines),
    ("yarn.lock berry", gen_yarn_berry, _yaml_load),
    ("poetry.lock", gen_poetry, tomllib.loads),
    ("uv.lock", gen_uv, tomllib.loads),
    ("requirements.txt", gen_requirements, _lines),
    ("Cargo.lock", gen_cargo, tomllib.loads),
    ("composer.lock", gen_composer, json.loads),
    ("Gemfile.lock", gen_gemfile, _lines),
]


# --- hostile files: (row, file name, text, bare decode name) ------------------------------------

def hostile_files(n: int) -> list[tuple[str, str, str, str]]:
    rnd = random.Random(1)
    small = json.loads(gen_package_lock(rnd, 50)[1])
    # one 50 MB string value (a "description" no reader looks at; JSON decodes it as fast as it reads)
    big = json.loads(json.dumps(small))
    big["packages"]["node_modules/" + next(iter(small["packages"][""]["dependencies"]))]["description"] = \
        "A" * (50 << 20)
    # 9 aliases of 9 aliases...: 600 bytes that expand to 9^9 nodes when walked
    bomb = ["lockfileVersion: '9.0'", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        bomb.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    bomb.append("packages: {x: *i}")
    # N local folders (file: dependencies / workspaces) instead of node_modules entries
    folders = json.loads(json.dumps(small))
    for i in range(n):
        folders["packages"][f"libs/pkg{i}"] = {"name": f"pkg{i}", "version": "1.0.0"}
    # as many workspace globs as local folders: each folder is matched against every glob
    m = max(1, n // 10)
    globs = json.loads(json.dumps(small))
    globs["packages"][""]["workspaces"] = [f"libs/w{i}/*" for i in range(m)]
    for i in range(m):
        globs["packages"][f"libs/pkg{i}"] = {"name": f"pkg{i}", "version": "1.0.0"}
    # a requirement line padded with a run of spaces (a comment may follow; pip strips it)
    spaces = "six==1.17.0" + " " * (1 << 20) + "\n"
    return [
        ("package-lock: one 50 MB string", "package-lock.json", json.dumps(big, indent=2), "json"),
        ("pnpm-lock: alias bomb (9^9)", "pnpm-lock.yaml", "\n".join(bomb) + "\n", "yaml"),
        (f"package-lock: {n} local folders", "package-lock.json", json.dumps(folders, indent=2), "json"),
        (f"package-lock: {m} folders x {m} globs", "package-lock.json", json.dumps(globs, indent=2), "json"),
        ("requirements: 1 MiB of spaces", "requirements.txt", spaces, "lines"),
    ]


BARE = {"json": json.loads, "yaml": _yaml_load, "toml": tomllib.loads, "lines": _lines}


# --- measuring ------------------------------------------------------------------------------------

def _read(path: Path) -> tuple[int, str | None]:
    from pkgtrace.lockfiles import LockfileError, read_lockfile
    try:
        return len(read_lockfile(path).dependencies), None
    except LockfileError as e:
        return 0, e.message


def _bare(path: Path, decode: Callable[[str], object]) -> None:
    decode(path.read_text(encoding="utf-8"))


def cpu(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def peak(fn: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(path: Path, decode: Callable[[str], object], repeat: int) -> dict:
    found, error = _read(path)  # also warms imports and caches
    row = {"file": path.name, "bytes": path.stat().st_size, "deps": found,
           "reader_s": cpu(lambda: _read(path), repeat), "baseline_s": cpu(lambda: _bare(path, decode), repeat),
           "reader_peak": peak(lambda: _read(path)), "baseline_peak": peak(lambda: _bare(path, decode))}
    if error:
        row["refused"] = error
    return row


def _child(path: str) -> None:
    """A hostile row, in its own process (see _hostile_row); prints the row as JSON."""
    p = Path(path)
    found, error = _read(p)
    row = {"deps": found, "reader_s": cpu(lambda: _read(p), 1), "reader_peak": peak(lambda: _read(p))}
    if error:
        row["refused"] = error
    print(json.dumps(row))


def _hostile_row(path: Path, decode: str, timeout: float) -> dict:
    """Reader in a child process under a CPU limit (its wall-clock twin kills a child left waiting)
    and a 4 GiB address-space limit; the baseline in this process (a bare decode is bounded)."""
    limits = (f"import resource; resource.setrlimit(resource.RLIMIT_CPU, ({int(timeout)}, {int(timeout) + 1}));"
              f"resource.setrlimit(resource.RLIMIT_AS, ({4 << 30}, {4 << 30}));")
    code = limits + f"import runpy, sys; sys.argv = [{str(Path(__file__))!r}, '--_child', {str(path)!r}];" \
                    "runpy.run_path(sys.argv[0], run_name='__main__')"
    row: dict = {"file": path.name, "bytes": path.stat().st_size,
                 "baseline_s": cpu(lambda: _bare(path, BARE[decode]), 1),
                 "baseline_peak": peak(lambda: _bare(path, BARE[decode]))}
    try:
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=3 * timeout + 30)
    except subprocess.TimeoutExpired:
        return {**row, "limit": f"killed after {3 * timeout + 30:.0f} s wall"}
    if p.returncode != 0 or not p.stdout.strip():
        why = f"CPU limit {timeout:.0f} s" if p.returncode in (-9, -24) else f"exit {p.returncode}: " \
            + (p.stderr.strip().splitlines() or [""])[-1][:120]
        return {**row, "limit": why}
    return {**row, **json.loads(p.stdout.strip().splitlines()[-1])}


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    return f"{a / b:.1f}x" if b > 0 else "inf"


def _mb(b: int | None) -> str:
    return "-" if b is None else f"{b / 2**20:.1f}"


def print_rows(title: str, rows: list[dict]) -> None:
    print(title)
    head = f"{'format':40s} {'MB':>6s} {'deps':>6s} {'reader s':>9s} {'base s':>8s} {'ratio':>7s} " \
           f"{'reader MB':>9s} {'base MB':>8s} {'ratio':>7s}"
    if any("growth" in r for r in rows):
        head += f" {'t(N/2) s':>9s} {'growth':>7s}"
    print(head)
    for r in rows:
        line = f"{r['row']:40s} {r['bytes'] / 2**20:6.1f} {r.get('deps', 0):6d} "
        if "limit" in r:
            line += f"{'>limit':>9s} {r['baseline_s']:8.3f} {'-':>7s} {'-':>9s} {_mb(r['baseline_peak']):>8s} {'-':>7s}"
        else:
            line += (f"{r['reader_s']:9.3f} {r['baseline_s']:8.3f} {_ratio(r['reader_s'], r['baseline_s']):>7s} "
                     f"{_mb(r['reader_peak']):>9s} {_mb(r['baseline_peak']):>8s} "
                     f"{_ratio(r['reader_peak'], r['baseline_peak']):>7s}")
        if "growth" in r:
            line += f" {r['half_s']:9.3f} {r['growth']:6.2f}x"
        print(line)
        if "refused" in r:
            print(f"{'':40s}   refused: {r['refused'][:100]}")
        if "limit" in r:
            print(f"{'':40s}   stopped: {r['limit']}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--deps", type=int, default=20_000, help="dependencies per lockfile; default 20000")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per row, best kept; default 3")
    ap.add_argument("--growth", action="store_true", help="also time each reader at --deps/2")
    ap.add_argument("--no-hostile", action="store_true", help="skip the hostile rows")
    ap.add_argument("--hostile-timeout", type=float, default=60, help="CPU seconds per hostile row; default 60")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true", help="print the rows as JSON")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._child:
        _child(args._child)
        return
    rows, hostile = [], []
    with tempfile.TemporaryDirectory(prefix="lockbench-") as tmp:
        for i, (row, gen, decode) in enumerate(FORMATS):
            folder = Path(tmp) / str(i)
            folder.mkdir()
            name, text = gen(random.Random(args.seed), args.deps)
            path = folder / name
            path.write_text(text, encoding="utf-8")
            r = {"row": row, **measure(path, decode, args.repeat)}
            if args.growth:
                half = Path(tmp) / f"{i}-half"
                half.mkdir()
                (half / name).write_text(gen(random.Random(args.seed), args.deps // 2)[1], encoding="utf-8")
                r["half_s"] = cpu(lambda: _read(half / name), args.repeat)
                r["growth"] = r["reader_s"] / r["half_s"] if r["half_s"] else float("inf")
            rows.append(r)
            if not args.json:
                print(f"  {row}: {r['deps']} deps, {r['reader_s']:.3f} s", file=sys.stderr)
        if not args.no_hostile:
            for i, (row, name, text, decode) in enumerate(hostile_files(args.deps)):
                folder = Path(tmp) / f"hostile{i}"
                folder.mkdir()
                path = folder / name
                path.write_text(text, encoding="utf-8")
                hostile.append({"row": row, **_hostile_row(path, decode, args.hostile_timeout)})
    if args.json:
        print(json.dumps({"deps": args.deps, "repeat": args.repeat, "rows": rows, "hostile": hostile}, indent=2))
        return
    print_rows(f"lockfiles with {args.deps} dependencies (CPU s best of {args.repeat}; peak traced MB)", rows)
    if hostile:
        print()
        print_rows("hostile files (reader in a child process under limits; one run each)", hostile)


if __name__ == "__main__":
    main()
