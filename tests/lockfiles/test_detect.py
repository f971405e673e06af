"""Which parser reads a file: by name, else by content; never a traceback."""

from __future__ import annotations

import shutil

import pytest

from .conftest import EDGE, REAL

CASES = [  # (fixture, format it must be read as)
    (REAL / "pip-tools" / "requirements.txt", "requirements.txt"),
    (REAL / "pip-lock" / "pylock.toml", "pylock.toml"),
    (REAL / "uv" / "uv.lock", "uv.lock"),
    (REAL / "poetry" / "poetry.lock", "poetry.lock"),
    (REAL / "pipenv" / "Pipfile.lock", "Pipfile.lock"),
    (REAL / "npm-v1" / "package-lock.json", "package-lock.json"),
    (REAL / "npm-v3" / "package-lock.json", "package-lock.json"),
    (REAL / "yarn-classic" / "yarn.lock", "yarn.lock (classic)"),
    (REAL / "yarn-berry" / "yarn.lock", "yarn.lock (berry)"),
    (REAL / "pnpm" / "pnpm-lock.yaml", "pnpm-lock.yaml"),
    (EDGE / "pnpm-v5" / "pnpm-lock.yaml", "pnpm-lock.yaml"),
    (REAL / "bundler" / "Gemfile.lock", "Gemfile.lock"),
    (REAL / "composer" / "composer.lock", "composer.lock"),
    (REAL / "cargo" / "Cargo.lock", "Cargo.lock"),
    (EDGE / "cargo" / "Cargo.lock", "Cargo.lock"),
]


@pytest.mark.parametrize("path,fmt", CASES, ids=[f"{p.parent.name}/{p.name}" for p, _ in CASES])
def test_detected_by_name(deps, path, fmt):
    assert deps.fmt(path) == fmt


@pytest.mark.parametrize("path,fmt", CASES, ids=[f"{p.parent.name}/{p.name}" for p, _ in CASES])
def test_detected_by_content_under_another_name(deps, tmp_path, path, fmt):
    renamed = tmp_path / "dependencies.lock.txt"  # a name no format claims
    shutil.copy(path, renamed)
    if fmt == "npm-shrinkwrap.json":
        fmt = "package-lock.json"
    assert deps.fmt(renamed) == fmt
    assert len(deps(renamed)) == len(deps(path))


def test_forced_type(deps, tmp_path):
    f = tmp_path / "whatever"
    shutil.copy(REAL / "uv" / "uv.lock", f)
    assert deps.fmt(f) == "uv.lock"
    code, doc, _ = deps.run(f, "--type", "uv")
    assert code == 0 and doc["lockfiles"][0]["format"] == "uv.lock"
    code, _, err = deps.run(f, "--type", "no-such-format")
    assert code == 2 and "unknown lockfile type" in err


def test_unknown_binary_missing_empty(deps, tmp_path):
    f = tmp_path / "notes.md"
    f.write_text("# just some notes\n\nnothing to see\n")
    assert "cannot tell which lockfile format" in deps.error(f)["message"]
    b = tmp_path / "blob.lock"
    b.write_bytes(b"\x00\x01\x02binary")
    assert "binary" in deps.error(b)["message"]
    assert "no such file" in deps.error(tmp_path / "absent.lock")["message"]
    e = tmp_path / "package-lock.json"
    e.write_text("")
    assert "empty file" in deps.error(e)["message"]


def test_yarn_lock_that_is_neither(deps, tmp_path):
    f = tmp_path / "yarn.lock"
    f.write_text("hello: [\n")
    assert deps.error(f)["file"].endswith("yarn.lock")
