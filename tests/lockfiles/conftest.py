"""Lockfile tests drive `pkgtrace deps --json` the way a user runs it, on real and hand-made files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pkgtrace.cli import app

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "lockfiles"
REAL = FIXTURES / "real"    # written by the real tools (regenerate.sh)
EDGE = FIXTURES / "edge"    # hand-made edge cases


class Deps:
    """Runs `pkgtrace deps --json` and answers questions about the result."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def run(self, *args: str | Path) -> tuple[int, dict, str]:
        result = self.runner.invoke(app, ["deps", "--json", *map(str, args)])
        doc = json.loads(result.stdout) if result.stdout.strip() else {}
        return result.exit_code, doc, result.stderr

    def __call__(self, path: str | Path, *extra: str) -> list[dict]:
        code, doc, err = self.run(path, *extra)
        assert code == 0, f"exit {code}: {err}"
        (lock,) = doc["lockfiles"]
        return lock["dependencies"]

    def fmt(self, path: str | Path) -> str:
        code, doc, err = self.run(path)
        assert code == 0, err
        return doc["lockfiles"][0]["format"]

    def error(self, path: str | Path, *extra: str) -> dict:
        """The one error a malformed file gets; the exit code must be 2 (input error)."""
        code, doc, err = self.run(path, *extra)
        assert code == 2, f"exit {code}, expected 2; stderr: {err}"
        assert "Traceback" not in err
        (e,) = doc["errors"]
        assert e["file"] and e["message"]
        assert str(e["file"]) in err  # the human message names the file too
        return e


def table(deps: list[dict]) -> set[tuple]:
    """(name, version, direct, source) for every dependency: what each test pins down."""
    return {(d["name"], d["version"], d["direct"], d["source"]) for d in deps}


def by_name(deps: list[dict], name: str, version: str | None = None) -> dict:
    found = [d for d in deps if d["name"] == name and (version is None or d["version"] == version)]
    assert len(found) == 1, f"{name} {version}: {found}"
    return found[0]


def line_of(path: Path, needle: str) -> int:
    """1-based line of the first line containing NEEDLE: where the parser must point."""
    for i, ln in enumerate(path.read_text().split("\n"), 1):
        if needle in ln:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def deps() -> Deps:
    return Deps()
