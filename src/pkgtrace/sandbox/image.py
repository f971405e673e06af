"""The sandbox image: a Debian rootfs built once with mmdebstrap, cached under a key made from its recipe.

Changing anything in RECIPE (or the customize hooks) changes the key, so a stale image is never reused.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from pkgtrace.config import cache_dir
from pkgtrace.sandbox.layout import HOME, UID, USER

SUITE = "bookworm"
PACKAGES = ("python3", "python3-pip", "python3-venv", "nodejs", "npm", "ruby", "php-cli",
            "composer", "ca-certificates", "procps", "curl", "wget",
            # Rust 1.85 or later from bookworm(-security); its "cargo" is 1.65, too old for most
            # of today's crates and without the sparse index. Conflicts with and replaces "cargo".
            "cargo-web",
            # gems with native extensions compile (headers, make); composer unpacks zip dists
            "ruby-dev", "make", "unzip", "php-zip")
# Run inside the new rootfs after packages are installed: the unprivileged user that package code
# runs as (see layout.py), with a ready venv for PyPI installs and an empty npm project in its
# home, so that no phase spends its time (or its trace) on creating them. Everything else in the
# image stays root's: the package can change nothing pkgtrace later runs or reads.
CUSTOMIZE = (
    f'chroot "$1" useradd --create-home --uid {UID} --user-group --shell /bin/bash {USER}',
    f'chroot --userspec={UID}:{UID} "$1" env HOME={HOME} python3 -m venv {HOME}/.venv',
    f'mkdir -p "$1{HOME}/app" && printf \'{{"name":"app","version":"1.0.0","private":true}}\\n\' > "$1{HOME}/app/package.json"',
    f'mkdir -p "$1/work" && chroot "$1" chown -R {USER}:{USER} /work {HOME}/app',
)
RECIPE = {"suite": SUITE, "variant": "apt", "packages": PACKAGES, "customize": CUSTOMIZE, "v": 2}

Progress = Callable[[str], None]


class ImageError(Exception):
    pass


@dataclass(frozen=True)
class Image:
    key: str
    rootfs: Path


def recipe_key() -> str:
    return hashlib.sha256(json.dumps(RECIPE, sort_keys=True).encode()).hexdigest()[:16]


def image_dir() -> Path:
    return cache_dir() / "images" / recipe_key()


def current() -> Image | None:
    d = image_dir()
    if (d / "rootfs" / "usr" / "bin" / "python3").exists() and (d / "READY").exists():
        return Image(recipe_key(), d / "rootfs")
    return None


def ensure(progress: Progress = lambda _m: None) -> Image:
    """The cached image, building it first when there is none for the current recipe."""
    return current() or build(progress)


def build(progress: Progress = lambda _m: None, *, force: bool = False) -> Image:
    if shutil.which("mmdebstrap") is None:
        raise ImageError("mmdebstrap is not installed (apt-get install mmdebstrap)")
    final = image_dir()
    final.parent.mkdir(parents=True, exist_ok=True)
    # One builder at a time per recipe: a second caller waits, then finds the image ready.
    with open(final.parent / f".{final.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _build_locked(final, progress, force)


def _build_locked(final: Path, progress: Progress, force: bool) -> Image:
    if force and final.exists():
        shutil.rmtree(final)
    if current():
        return current()  # type: ignore[return-value]
    staging = final.parent / f".{final.name}.building-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    cmd = ["mmdebstrap", "--variant=apt", "--include=" + ",".join(PACKAGES)]
    cmd += [f"--customize-hook={hook}" for hook in CUSTOMIZE]
    cmd += [SUITE, str(staging / "rootfs")]
    started = time.monotonic()
    log = staging / "build.log"
    try:
        with open(log, "w") as logf:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            assert proc.stdout
            for line in proc.stdout:
                logf.write(line)
                if line.startswith(("I: ", "E: ", "W: ")):
                    progress(line[3:].strip())
            if proc.wait() != 0:
                tail = log.read_text()[-2000:]
                raise ImageError(f"mmdebstrap failed (exit {proc.returncode}):\n{tail}")
        (staging / "recipe.json").write_text(json.dumps(RECIPE, indent=1))
        (staging / "READY").write_text(f"built in {time.monotonic() - started:.0f}s\n")
        if final.exists():  # someone else finished first; theirs is as good as ours
            shutil.rmtree(staging)
        else:
            os.rename(staging, final)
        progress(f"image {recipe_key()} ready in {time.monotonic() - started:.0f}s")
        return Image(recipe_key(), final / "rootfs")
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def remove_stale() -> list[str]:
    """Delete cached images of other recipes (about 1.3 GB each) that nobody is building."""
    root = cache_dir() / "images"
    removed = []
    for d in sorted(root.iterdir()) if root.is_dir() else []:
        if not d.is_dir() or d.name == recipe_key() or d.name.startswith("."):
            continue
        with open(root / f".{d.name}.lock", "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a build of that recipe is under way
            shutil.rmtree(d, ignore_errors=True)
        (root / f".{d.name}.lock").unlink(missing_ok=True)
        removed.append(f"image {d.name}")
    return removed
