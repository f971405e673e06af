"""Lockfiles as they turn up in real projects (old and new tool versions, hand edits, Windows
shells) and as an attacker would write them: each case once as it is in the wild, once as the
evasion or the breakage it invites."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import tracemalloc

import pytest

from lockfiles.conftest import by_name, table


def _w(tmp_path, name, text, **kw):
    f = tmp_path / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_text(textwrap.dedent(text).lstrip(), **kw)
    return f


# -- pnpm ------------------------------------------------------------------------------------

PNPM5 = """
lockfileVersion: 5.4

specifiers:
  string_decoder: ^1.3.0
  '@types/babel__core': ^7.20.5
  my-sd: npm:string_decoder@1.3.0

dependencies:
  string_decoder: 1.3.0
  '@types/babel__core': 7.20.5_@babel+core@7.24.0
  my-sd: /string_decoder/1.3.0

packages:

  /string_decoder/1.3.0:
    resolution: {integrity: sha512-AAAA}
    dev: false

  /@types/babel__core/7.20.5_@babel+core@7.24.0:
    resolution: {integrity: sha512-BBBB}
    dev: false

  /@babel/core/7.24.0:
    resolution: {integrity: sha512-CCCC}
    dev: false
"""


def test_pnpm5_names_with_underscores_stay_whole(deps, tmp_path):
    found = deps(_w(tmp_path, "pnpm-lock.yaml", PNPM5))
    assert table(found) == {("string_decoder", "1.3.0", True, "registry"),
                            ("@types/babel__core", "7.20.5", True, "registry"),
                            ("@babel/core", "7.24.0", False, "registry")}


PNPM11 = """
---
lockfileVersion: '9.0'

importers:

  .:
    configDependencies: {}
    packageManagerDependencies:
      pnpm:
        specifier: 11.0.3
        version: 11.0.3

packages:

  pnpm@11.0.3:
    resolution: {integrity: sha512-ENV1}
    hasBin: true

snapshots:

  pnpm@11.0.3: {}

---
lockfileVersion: '9.0'

settings:
  autoInstallPeers: true
  excludeLinksFromLockfile: false

importers:

  .:
    dependencies:
      is-odd:
        specifier: 3.0.1
        version: 3.0.1

packages:

  is-number@6.0.0:
    resolution: {integrity: sha512-NUM6}

  is-odd@3.0.1:
    resolution: {integrity: sha512-ODD3}

snapshots:

  is-number@6.0.0: {}

  is-odd@3.0.1:
    dependencies:
      is-number: 6.0.0
"""


def test_pnpm11_two_documents_are_both_read(deps, tmp_path):
    found = deps(_w(tmp_path, "pnpm-lock.yaml", PNPM11))
    # The project's graph (the last document) and what the env document installs (pnpm itself):
    # reading only the first document would report no dependencies at all.
    assert table(found) == {("is-odd", "3.0.1", True, "registry"), ("is-number", "6.0.0", False, "registry"),
                            ("pnpm", "11.0.3", True, "registry")}
    assert by_name(found, "is-odd")["line"] == 43  # lines count from the top of the file


def _deps_in_a_cage(path) -> tuple[subprocess.CompletedProcess, float]:
    """`pkgtrace deps --json PATH` in a child capped at 1 GiB and 60 CPU seconds, so a regression
    fails the test instead of the machine; with the CPU seconds the command itself took (CPU
    time, not wall time: the figure does not depend on how loaded the machine is)."""
    code = ("import resource, sys, time; resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30));"
            "resource.setrlimit(resource.RLIMIT_CPU, (60, 60));"
            "from pkgtrace.cli import main; sys.argv = ['pkgtrace', 'deps', '--json', sys.argv[1]];"
            "t = time.process_time()\n"
            "try: main()\n"
            "finally: print(f'cpu={time.process_time() - t}', file=sys.stderr)")
    p = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=600)
    cpu = [float(x[4:]) for x in p.stderr.split() if x.startswith("cpu=")]
    assert cpu, p.stderr[-2000:]  # killed by a limit: no figure
    return p, cpu[0]


def test_yaml_alias_bomb_fails_fast(tmp_path):
    # 503 bytes that expand to billions of nodes: refused before anything walks them, within a
    # second of CPU.
    bomb = tmp_path / "pnpm-lock.yaml"
    levels = ["lockfileVersion: '9.0'", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefgh"[i]
        levels.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    levels.append("packages: {x: *i}")
    bomb.write_text("\n".join(levels) + "\n")
    assert bomb.stat().st_size < 600
    p, cpu = _deps_in_a_cage(bomb)
    assert p.returncode == 2, p.stderr[-2000:]
    (err,) = json.loads(p.stdout)["errors"]
    assert "alias bomb" in err["message"]
    assert cpu < 1.0, cpu


@pytest.mark.parametrize("body", ["packages: &a [*a]\n", "packages: &a\n  x: {y: *a}\n",
                                  "packages:\n  x: &a\n    - {deps: *a}\n"])
def test_a_yaml_alias_inside_its_own_node_is_refused(tmp_path, body):
    # Two lines that never finish expanding: the size count itself once walked them forever.
    f = tmp_path / "pnpm-lock.yaml"
    f.write_text("lockfileVersion: '9.0'\n" + body)
    p, cpu = _deps_in_a_cage(f)
    assert p.returncode == 2, p.stderr[-2000:]
    (err,) = json.loads(p.stdout)["errors"]
    assert "refers to a node that contains it" in err["message"] and err["line"] >= 2
    assert cpu < 1.0, cpu


def test_yaml_aliases_that_do_not_multiply_are_fine(deps, tmp_path):
    f = _w(tmp_path, "pnpm-lock.yaml", """
        lockfileVersion: '9.0'
        importers:
          .:
            dependencies:
              is-odd: &dep {specifier: 3.0.1, version: 3.0.1}
        packages:
          is-odd@3.0.1: {resolution: {integrity: sha512-ODD3}}
        snapshots:
          is-odd@3.0.1: {}
        """)
    assert table(deps(f)) == {("is-odd", "3.0.1", True, "registry")}


# -- Bundler ---------------------------------------------------------------------------------

GEMFILE_LOCK = """
GIT
  remote: https://github.com/rails/rails.git
  revision: 0123456789abcdef0123456789abcdef01234567
  specs:
    rails (8.1.0.alpha)

GEM
  remote: https://rubygems.org/
  specs:
    rake (13.2.1)

PLATFORMS
  ruby

DEPENDENCIES
  rails (~> 8.1.0.alpha)!
  rake

BUNDLED WITH
   2.5.22
"""


def test_bundler_pinned_source_with_requirement(deps, tmp_path):
    found = deps(_w(tmp_path, "Gemfile.lock", GEMFILE_LOCK))
    assert table(found) == {("rails", "8.1.0.alpha", True, "git"), ("rake", "13.2.1", True, "registry")}


def test_bundler_garbage_dependency_line_still_rejected(deps, tmp_path):
    e = deps.error(_w(tmp_path, "Gemfile.lock", GEMFILE_LOCK.replace("  rake\n", "  rake (>= 1) junk\n")))
    assert "expected `  NAME (REQUIREMENT)`" in e["message"]


# -- requirements.txt ------------------------------------------------------------------------

def test_url_without_egg_is_skipped_with_a_note_not_the_whole_file(deps, tmp_path):
    f = _w(tmp_path, "requirements.txt", """
        requests==2.32.3
        git+https://github.com/psf/black
        https://example.com/archive/main.zip
        six @ git+https://github.com/benjaminp/six@1.16.0
        """)
    code, doc, err = deps.run(f)
    assert code == 0, err
    found = doc["lockfiles"][0]["dependencies"]
    assert table(found) == {("requests", "2.32.3", None, "registry"), ("six", None, None, "git")}
    notes = " ".join(doc["notes"])
    assert "requirements.txt:2: skipped 'git+https://github.com/psf/black'" in notes
    assert "requirements.txt:3: skipped" in notes


def test_index_url_makes_packages_private(deps, tmp_path):
    f = _w(tmp_path, "requirements.txt", """
        --index-url https://user:s3cret@pypi.internal.example/simple
        internal-lib==1.0.0
        requests==2.32.3
        """)
    code, doc, err = deps.run(f)
    found = doc["lockfiles"][0]["dependencies"]
    lib = by_name(found, "internal-lib")
    assert (lib["source"], lib["locator"]) == ("private", "https://pypi.internal.example/simple")
    assert by_name(found, "requests")["source"] == "private"  # pip takes every package from there
    assert "s3cret" not in json.dumps(doc) and "s3cret" not in err


def test_extra_index_url_keeps_pypi_lookup_and_says_why(deps, tmp_path):
    # The dependency-confusion shape: a private index added, PyPI still consulted.
    f = _w(tmp_path, "requirements.txt", """
        --extra-index-url=https://pypi.internal.example/simple
        internal-lib==1.0.0
        """)
    code, doc, err = deps.run(f)
    assert by_name(doc["lockfiles"][0]["dependencies"], "internal-lib")["source"] == "registry"
    assert any("--extra-index-url https://pypi.internal.example/simple" in n for n in doc["notes"])


def test_index_url_of_pypi_itself_is_not_private(deps, tmp_path):
    f = _w(tmp_path, "requirements.txt", "-i https://pypi.org/simple/\nrequests==2.32.3\n")
    assert by_name(deps(f), "requests")["source"] == "registry"


def test_utf16_requirements_from_powershell(deps, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_bytes("requests==2.32.3\r\nsix==1.16.0\r\n".encode("utf-16"))  # BOM + UTF-16LE
    assert table(deps(f)) == {("requests", "2.32.3", None, "registry"), ("six", "1.16.0", None, "registry")}
    # a NUL-laden file without the BOM is still binary, not a lockfile
    g = tmp_path / "requirements-b.txt"
    g.write_bytes("requests==2.32.3\n".encode("utf-16-le"))
    assert "binary" in deps.error(g)["message"]


# -- Pipfile.lock ----------------------------------------------------------------------------

def test_pipfile_named_categories_and_private_sources(deps, tmp_path):
    f = _w(tmp_path, "Pipfile.lock", json.dumps({
        "_meta": {"pipfile-spec": 6, "hash": {"sha256": "x"}, "requires": {},
                  "sources": [{"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
                              {"name": "internal", "url": "https://t0ken@pkgs.example/simple", "verify_ssl": True}]},
        "default": {"requests": {"version": "==2.32.3", "index": "pypi"}},
        "develop": {"pytest": {"version": "==8.3.3"}},
        "docs": {"sphinx": {"version": "==8.1.3"}},
        "internal-tools": {"corp-lib": {"version": "==1.2.0", "index": "internal"}},
    }, indent=4))
    found = deps(f)
    assert by_name(found, "sphinx")["dev"] is True and by_name(found, "requests")["dev"] is False
    corp = by_name(found, "corp-lib")
    assert (corp["source"], corp["locator"]) == ("private", "https://pkgs.example/simple")


# -- detection, empty, unrecognised --------------------------------------------------------------

CARGO = """
# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "itoa"
version = "1.0.11"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "49f1f14873335454500d59611f1cf4a4b0f786f9ac11f4312a78e4cf2566695b"
"""


def test_content_decides_when_the_name_lies(deps, tmp_path):
    # A Cargo.lock saved as poetry.lock: its crates are crates, never looked up on PyPI.
    f = _w(tmp_path, "poetry.lock", CARGO)
    code, doc, err = deps.run(f)
    assert code == 0, err
    (lock,) = doc["lockfiles"]
    assert lock["format"] == "Cargo.lock"
    assert [(d["ecosystem"], d["name"]) for d in lock["dependencies"]] == [("crates.io", "itoa")]
    assert "named like a poetry.lock but its content is Cargo.lock" in " ".join(doc["notes"])


def test_empty_and_unrecognised_lockfiles_are_errors(deps, tmp_path):
    for name in ("poetry.lock", "Cargo.lock", "bun.lock", "pdm.lock"):
        assert "empty file" in deps.error(_w(tmp_path / name.replace(".", "-"), name, "\n  \n"))["message"]
    e = deps.error(_w(tmp_path, "poetry.lock", "[tool.something]\nkey = 1\n"))
    assert e["file"].endswith("poetry.lock")


# -- Size: what a large hostile file costs (bench/lockfile_speed.py measures the rest) -----------

def _peak(fn) -> int:
    fn()  # imports and caches first: only the read itself is counted
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_long_json_string_costs_memory_in_proportion(tmp_path):
    # The key-line scan once matched a string one character per group pass, and re kept a
    # backtracking frame for each: 570 MB for this 4 MiB file, 7 GB for a 50 MB string.
    from pkgtrace.lockfiles import read_lockfile
    f = tmp_path / "package-lock.json"
    f.write_text(json.dumps({"lockfileVersion": 3, "packages": {
        "": {"name": "x", "dependencies": {"ms": "2.1.3"}},
        "node_modules/ms": {"version": "2.1.3", "description": "A" * (4 << 20) + '\\"' * 1000,
                            "resolved": "https://registry.npmjs.org/ms/-/ms-2.1.3.tgz"}}}))
    assert [d.name for d in read_lockfile(f).dependencies] == ["ms"]
    assert _peak(lambda: read_lockfile(f)) < 8 * f.stat().st_size


def test_a_long_yarn_classic_string_costs_memory_in_proportion(tmp_path):
    from pkgtrace.lockfiles import read_lockfile
    f = tmp_path / "yarn.lock"
    f.write_text('# yarn lockfile v1\n\nms@2.1.3:\n  version "2.1.3"\n  description "' + "A" * (4 << 20)
                 + '\\"x"\n  resolved "https://registry.yarnpkg.com/ms/-/ms-2.1.3.tgz#abc"\n')
    assert [d.name for d in read_lockfile(f).dependencies] == ["ms"]
    assert _peak(lambda: read_lockfile(f)) < 8 * f.stat().st_size


def test_many_local_folders_are_read_in_one_pass(tmp_path, monkeypatch):
    # Whether a folder is linked from a project was a pass over every entry, per folder: quadratic
    # in the folders a file lists. Counted here as passes over "packages".
    from pkgtrace.lockfiles import package_lock, read_lockfile

    class Counted(dict):
        passes = 0

        def items(self):
            Counted.passes += 1
            return super().items()

    def load(path, text):
        doc = json.loads(text)
        doc["packages"] = Counted(doc["packages"])
        return doc

    monkeypatch.setattr(package_lock, "load_json", load)
    packages = {"": {"name": "x", "workspaces": ["libs/*"], "dependencies": {"pkg0": "1.0.0"}},
                "node_modules/pkg0": {"resolved": "libs/pkg0", "link": True}}
    packages.update({f"libs/pkg{i}": {"name": f"pkg{i}", "version": "1.0.0"} for i in range(50)})
    f = tmp_path / "package-lock.json"
    f.write_text(json.dumps({"lockfileVersion": 3, "packages": packages}))
    found = {d.name: d for d in read_lockfile(f).dependencies}
    assert len(found) == 50 and found["pkg0"].direct and not found["pkg1"].direct
    assert found["pkg1"].source == "workspace"
    assert Counted.passes <= 3


@pytest.mark.parametrize("line", ["a==1 # c", "a==1  \t# c # d", "# c", "   # c", "a==1#c", "a==1 #", "a==1 \\ # c",
                                  "a==1\u3000# c", "a==1\x1c# c", "a==1 \\", "", "   ", "a==1 x#y #z"])
def test_comments_are_stripped_as_pip_strips_them(line):
    from pkgtrace.lockfiles.requirements import _strip_comment
    assert _strip_comment(line) == re.sub(r"(^|\s+)#.*$", "", line)  # pip's own pattern


def test_a_line_of_spaces_is_read_in_linear_time(tmp_path):
    # pip's comment pattern, run as a regex, retried a run of spaces from each of its characters:
    # this line took about an hour; the cage's 60 CPU seconds stop it.
    f = tmp_path / "requirements.txt"
    f.write_text("six==1.17.0" + " " * (1 << 20) + "\n")
    p, _ = _deps_in_a_cage(f)
    assert p.returncode == 0, p.stderr[-2000:]
    assert [d["name"] for d in json.loads(p.stdout)["lockfiles"][0]["dependencies"]] == ["six"]
