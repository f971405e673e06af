"""Build package archives for tests from small source trees, without any packaging tool.

Real tools (python -m build, npm pack) make the same shapes; these builders keep the tests
independent of what is installed and make hostile variants easy.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "packages"


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


def pypi_sdist(dest: Path, name: str, version: str, files: dict[str, str],
               summary: str = "pkgtrace test fixture") -> Path:
    """A setup.py sdist: NAME-VERSION/{PKG-INFO, files…}."""
    dest.mkdir(parents=True, exist_ok=True)
    base = f"{name.replace('-', '_')}-{version}"
    path = dest / f"{base}.tar.gz"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: {summary}\n"
    with tarfile.open(path, "w:gz") as tar:
        _add(tar, f"{base}/PKG-INFO", pkg_info.encode())
        for rel, text in files.items():
            _add(tar, f"{base}/{rel}", text.encode())
    return path


def pypi_wheel(dest: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """A pure-Python wheel: FILES at the top, NAME-VERSION.dist-info/{METADATA, WHEEL, RECORD}."""
    import base64
    import hashlib
    import zipfile

    dest.mkdir(parents=True, exist_ok=True)
    base = f"{name.replace('-', '_')}-{version}"
    meta = {f"{base}.dist-info/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
            f"{base}.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: pkgtrace-tests\nRoot-Is-Purelib: true\n"
                                       "Tag: py3-none-any\n"}
    path = dest / f"{base}-py3-none-any.whl"
    record = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for rel, text in {**files, **meta}.items():
            data = text.encode()
            z.writestr(rel, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{rel},sha256={digest},{len(data)}")
        record.append(f"{base}.dist-info/RECORD,,")
        z.writestr(f"{base}.dist-info/RECORD", "\n".join(record) + "\n")
    return path


def npm_tgz(dest: Path, files: dict[str, str]) -> Path:
    """An npm tarball: package/{package.json, files…}."""
    dest.mkdir(parents=True, exist_ok=True)
    meta = json.loads(files["package.json"])
    path = dest / f"{meta['name'].lstrip('@').replace('/', '-')}-{meta['version']}.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for rel, text in files.items():
            _add(tar, f"package/{rel}", text.encode())
    return path


def setup_py_package(dest: Path, name: str, setup_body: str, init_body: str = "",
                     version: str = "1.0.0") -> Path:
    """An sdist whose setup.py runs SETUP_BODY before calling setup()."""
    mod = name.replace("-", "_")
    setup = (f"{setup_body}\n\nfrom setuptools import setup\n"
             f"setup(name={name!r}, version={version!r}, packages=[{mod!r}])\n")
    return pypi_sdist(dest, name, version, {"setup.py": setup, f"{mod}/__init__.py": init_body})


def trace_attack(dest: Path, name: str) -> Path:
    """An sdist whose setup.py runs tests/fixtures/packages/pypi_trace_attacks/NAME.py."""
    body = (FIXTURES / "pypi_trace_attacks" / f"{name}.py").read_text()
    return setup_py_package(dest, f"pkgtrace-attack-{name}", body)


def writes_pypi(dest: Path) -> Path:
    """An sdist that writes files at install and import (fixtures/packages/pypi_writes)."""
    src = FIXTURES / "pypi_writes"
    return setup_py_package(dest, "notes-writer", (src / "setup_body.py").read_text(),
                            (src / "init.py").read_text())


def giveaways_pypi(dest: Path) -> Path:
    """An sdist that looks at install, import and execute for any trace of the analyser
    (fixtures/packages/pypi_giveaways); its own name names nothing."""
    src = FIXTURES / "pypi_giveaways"
    look = (src / "look.py").read_text()
    setup = ((src / "setup_body.py").read_text()
             + "\n\nfrom setuptools import setup\n"
             "setup(name='world-look', version='1.0.0', packages=['world_look'])\n")
    return pypi_sdist(dest, "world-look", "1.0.0", {
        "setup.py": setup, "world_look/__init__.py": (src / "init.py").read_text(),
        "world_look/look.py": look}, summary="looks around")


def behaviour_pypi(dest: Path) -> Path:
    src = FIXTURES / "pypi_behaviour"
    return pypi_sdist(dest, "pkgtrace-fixture-behaviour", "1.0.0", {
        "setup.py": (src / "setup.py").read_text(),
        "pkgtrace_fixture_behaviour/payload.py": (src / "payload.py").read_text(),
        # connect() fires only when called: the execute phase must find and call it
        "pkgtrace_fixture_behaviour/__init__.py": ("from . import payload\npayload.run('import')\n\n\n"
                                                   "def connect(host):\n    payload.run('execute')\n"),
    })


def guest_probe_pypi(dest: Path) -> Path:
    """A package that attacks the sandbox itself (see fixtures/packages/pypi_guest_probe)."""
    src = FIXTURES / "pypi_guest_probe"
    return pypi_sdist(dest, "guest-probe", "1.0.0", {
        "setup.py": (src / "setup.py").read_text(),
        "guest_probe/__init__.py": (src / "init.py").read_text(),
    })


def npm_fixture(dest: Path, fixture: str) -> Path:
    """The npm tarball of tests/fixtures/packages/FIXTURE, its files as they are."""
    return npm_tgz(dest, {p.name: p.read_text() for p in (FIXTURES / fixture).iterdir()})


def behaviour_npm(dest: Path) -> Path:
    return npm_fixture(dest, "npm_behaviour")


def giveaways_npm(dest: Path) -> Path:
    """An npm package that looks at install, import and execute for the analyser's name and its
    settings for Node (fixtures/packages/npm_giveaways), reading the clock and requiring a module
    that is not there, so that the "later" world and stand-ins are in force where it looks."""
    return npm_fixture(dest, "npm_giveaways")


# --- RubyGems, Composer and crates.io fixtures, built with the ecosystems' own tools -------------
# Packaging never runs a fixture's code: `gem build` does not run extconf.rb, `composer archive`
# runs no package scripts, and `cargo package --no-verify` does not build (so no build.rs).

def _tool(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    import os
    import subprocess
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def _copy_fixture(name: str, work: Path) -> Path:
    import shutil
    src = work / name
    shutil.copytree(FIXTURES / name, src)
    return src


def _scratch():
    import tempfile
    return tempfile.TemporaryDirectory(prefix="pkgtrace-fixture-build-")


def gem_build(fixture: str, dest: Path) -> Path:
    """`gem build` of tests/fixtures/packages/FIXTURE; the .gem lands in DEST."""
    import shutil
    with _scratch() as work:
        src = _copy_fixture(fixture, Path(work))
        (spec,) = src.glob("*.gemspec")
        _tool(["gem", "build", spec.name], src)
        (gem,) = src.glob("*.gem")
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.move(str(gem), dest / gem.name))


def composer_archive(fixture: str, dest: Path) -> Path:
    """`composer archive --format=zip` of tests/fixtures/packages/FIXTURE into DEST."""
    with _scratch() as work:
        src = _copy_fixture(fixture, Path(work))
        dest.mkdir(parents=True, exist_ok=True)
        _tool(["composer", "archive", "--format=zip", f"--dir={dest}", "--no-interaction"], src,
              env={"COMPOSER_ALLOW_SUPERUSER": "1", "COMPOSER_HOME": str(Path(work) / ".composer")})
        name = json.loads((src / "composer.json").read_text())["name"].replace("/", "-")
    (zip_path,) = dest.glob(f"{name}-*.zip")
    return zip_path


def cargo_package(fixture: str, dest: Path, vendor: list[Path] = ()) -> Path:
    """`cargo package --no-verify` of tests/fixtures/packages/FIXTURE into DEST, offline: its
    crates.io dependencies resolve from VENDOR (.crate files), as `cargo vendor` lays them out."""
    import hashlib
    import shutil
    with _scratch() as work:
        src = _copy_fixture(fixture, Path(work))
        cmd = ["cargo", "package", "--no-verify", "--allow-dirty", "--offline"]
        if vendor:
            vdir = Path(work) / "vendor"
            vdir.mkdir()
            for crate in vendor:
                with tarfile.open(crate) as t:
                    t.extractall(vdir, filter="data")
                    top = t.getnames()[0].split("/")[0]
                (vdir / top / ".cargo-checksum.json").write_text(json.dumps(
                    {"files": {}, "package": hashlib.sha256(crate.read_bytes()).hexdigest()}))
            cmd += ["--config", 'source.crates-io.replace-with="fixture-vendor"',
                    "--config", f'source.fixture-vendor.directory="{vdir}"']
        _tool(cmd, src, env={"CARGO_TARGET_DIR": str(Path(work) / "target")})
        (crate,) = (Path(work) / "target" / "package").glob("*.crate")
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.move(str(crate), dest / crate.name))


def behaviour_gem(dest: Path) -> tuple[Path, Path]:
    """(the behaviour gem, a guest mirror folder holding its dependency)."""
    mirror = dest / "mirror"
    gem_build("gem_dep", mirror / "rubygems")
    return gem_build("gem_behaviour", dest / "dist"), mirror


def behaviour_composer(dest: Path) -> tuple[Path, Path]:
    mirror = dest / "mirror"
    composer_archive("composer_dep", mirror / "packagist")
    return composer_archive("composer_behaviour", dest / "dist"), mirror


def behaviour_crate(dest: Path) -> tuple[Path, Path]:
    mirror = dest / "mirror"
    dep = cargo_package("crate_dep", mirror / "crates")
    return cargo_package("crate_behaviour", dest / "dist", vendor=[dep]), mirror
