"""`pkgtrace verify` as a new user meets it: no dataset yet, a project folder instead of file
names, a lockfile that cannot be read, thousands of dependencies. Run as the CLI, in a fresh data
folder (PKGTRACE_DATA) and from a folder of its own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from verify.dataset import LOCKS, NPM_LOCK, PIP_LOCK


def pkgtrace(*args: str, data: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PKGTRACE_INDEX", "PKGTRACE_STATE", "PKGTRACE_RESULTS")}
    env["PKGTRACE_DATA"] = str(data)
    return subprocess.run([sys.executable, "-m", "pkgtrace", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd, env=env)


def test_no_dataset_lists_every_dependency_as_not_analysed(tmp_path):
    data = tmp_path / "data"
    p = pkgtrace("verify", str(NPM_LOCK), "--json", data=data, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["summary"]["total"] > 0 and doc["summary"]["unknown"] > 0
    assert doc["summary"]["malicious"] == doc["summary"]["benign"] == 0
    assert "no analyses yet" in p.stderr
    assert not data.exists()  # verify reads; it made no dataset
    # --fail-on unknown: a CI gate that wants every dependency vetted
    p = pkgtrace("verify", str(NPM_LOCK), "--fail-on", "unknown", data=data, cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    p = pkgtrace("verify", str(NPM_LOCK), "--fail-on", "malicious", data=data, cwd=tmp_path)
    assert p.returncode == 0, p.stderr


def test_an_index_given_that_does_not_exist_is_still_an_error(tmp_path):
    p = pkgtrace("verify", str(NPM_LOCK), "--index", f"sqlite:///{tmp_path / 'typo.db'}", data=tmp_path / "d",
                 cwd=tmp_path)
    assert p.returncode == 2 and "no dataset at" in p.stderr


def _project(root: Path) -> Path:
    """A project tree: lockfiles at the top and in a subproject, others where installs put them."""
    root.mkdir(parents=True)
    shutil.copy(NPM_LOCK, root / "package-lock.json")
    (root / "api").mkdir()
    shutil.copy(PIP_LOCK, root / "api" / "requirements.txt")
    for planted in ("node_modules/evil/package-lock.json", ".venv/lib/x/requirements.txt",
                    "vendor/bundle/Gemfile.lock", "venv-py/requirements.txt"):
        f = root / planted
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("this would be an error if it were read\n")
    (root / "venv-py" / "pyvenv.cfg").write_text("home = /usr/bin\n")  # a virtualenv by any name
    (root / "README.md").write_text("# not a lockfile\n")
    return root


def test_verify_a_folder_finds_its_lockfiles_and_skips_installed_trees(tmp_path):
    proj = _project(tmp_path / "proj")
    p = pkgtrace("verify", ".", "--json", data=tmp_path / "data", cwd=proj)
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert sorted(doc["lockfiles"]) == ["api/requirements.txt", "package-lock.json"]
    assert doc["failed_lockfiles"] == []
    ecosystems = {r["dependency"]["ecosystem"] for r in doc["results"]}
    assert ecosystems == {"npm", "pypi"}


def test_a_lockfile_that_fails_is_listed_in_the_json(tmp_path):
    proj = _project(tmp_path / "proj")
    (proj / "web").mkdir()
    (proj / "web" / "yarn.lock").write_text("hello: [\n")
    p = pkgtrace("verify", ".", "--json", data=tmp_path / "data", cwd=proj)
    assert p.returncode == 2  # bad input, but the report is still written and says which
    doc = json.loads(p.stdout)
    (failed,) = doc["failed_lockfiles"]
    assert failed["file"] == "web/yarn.lock" and failed["message"]
    assert "package-lock.json" in doc["lockfiles"]


def test_a_table_of_thousands_stays_readable(tmp_path):
    lines = [f"pkg-{i:04d}==1.0.{i}" for i in range(4000)]
    req = tmp_path / "requirements.txt"
    req.write_text("\n".join(lines) + "\n")
    p = pkgtrace("verify", str(req), data=tmp_path / "data", cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    out = p.stdout
    assert len(out) < 100_000, len(out)  # 4,000 wrapped rows were megabytes
    assert "… and 3800 more not shown (3800 unknown)" in out
    assert "4000 dependencies: 0 malicious, 0 suspicious, 0 benign, 4000 unknown" in out
    # every row is still in the machine-readable formats
    p = pkgtrace("verify", str(req), "--format", "json", data=tmp_path / "data", cwd=tmp_path)
    assert len(json.loads(p.stdout)["results"]) == 4000


def test_flagged_rows_are_always_in_the_table(tmp_path):
    from verify.dataset import build
    index, _ = build(tmp_path / "ds")
    lock = tmp_path / "requirements.txt"
    lines = [f"pkg-{i:04d}==1.0.{i}" for i in range(600)] + ["jaraco.classes==3.4.0"]
    lock.write_text("\n".join(lines) + "\n")
    p = pkgtrace("verify", str(lock), "--index", index, data=tmp_path / "data", cwd=tmp_path)
    out = p.stdout
    assert "jaraco-classes" in out and "malicious" in out  # sorted first, never cut
    assert "… and 401 more not shown (401 unknown)" in out


def test_reading_lockfiles_from_locks_fixture_folder(tmp_path):
    # The fixtures tree itself: every real lockfile is found and read (none fails).
    p = pkgtrace("verify", str(LOCKS / "real"), "--json", data=tmp_path / "data", cwd=tmp_path)
    doc = json.loads(p.stdout)
    assert doc["failed_lockfiles"] == [], doc["failed_lockfiles"]
    assert len(doc["lockfiles"]) >= 15
