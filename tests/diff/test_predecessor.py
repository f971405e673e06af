"""report["diff"] against the predecessor: the function the worker calls, and the worker itself
storing it for every new release."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from diff.recorded import NAME, read_recorded, recorded_store
from pkgtrace.diff import attach_diff
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import load_documents, open_index
from pkgtrace.results.stores.local import LocalStore

HERE = Path(__file__).resolve().parent
OLD, NEW = (Package(Ecosystem.NPM, NAME, v) for v in ("1.0.0", "1.1.0"))


def test_attach_diff_from_the_index_and_store(tmp_path):
    store = LocalStore(tmp_path / "results")
    idx = open_index(f"sqlite:///{tmp_path / 'index.db'}")
    store.put(OLD, read_recorded("1.0.0"))
    load_documents(idx, OLD, read_recorded("1.0.0"))
    docs = read_recorded("1.1.0")
    attach_diff(NEW, docs, store=store, index=idx)
    d = docs["report"]["diff"]
    assert d["from"] == "1.0.0" and d["to"] == "1.1.0"
    assert [h["value"] for h in d["added"]["hosts"]] == ["telemetry.phonehome.example"]
    first = read_recorded("1.0.0")
    attach_diff(OLD, first, store=store, index=idx)
    assert first["report"]["diff"] is None  # no earlier release


def test_attach_diff_without_an_index_reads_a_local_store(tmp_path):
    store = recorded_store(tmp_path / "results")
    docs = read_recorded("1.1.0")
    attach_diff(NEW, docs, store=store)
    assert docs["report"]["diff"]["from"] == "1.0.0"


def test_a_failing_diff_never_fails_the_analysis(tmp_path):
    class Broken(LocalStore):
        def get(self, package, kind):
            raise OSError("disk on fire")
    store = Broken(tmp_path / "results")
    LocalStore(tmp_path / "results").put(OLD, read_recorded("1.0.0"))
    docs = read_recorded("1.1.0")
    attach_diff(NEW, docs, store=store)
    assert docs["report"]["diff"] == {"error": "OSError: disk on fire"}


def test_the_worker_keeps_the_diff_in_every_new_report(tmp_path):
    index, queue, results = f"sqlite:///{tmp_path / 'index.db'}", f"sqlite:///{tmp_path / 'queue.db'}", tmp_path / "r"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), os.environ.get("PYTHONPATH", "")])}

    def run(*args: str) -> None:
        p = subprocess.run([sys.executable, "-m", "pkgtrace", *args], env=env, capture_output=True, text=True,
                           timeout=120)
        assert p.returncode == 0, p.stderr

    for version in ("1.0.0", "1.1.0"):  # one after the other, as a feed announces them
        run("submit", "npm", f"{NAME}@{version}", "--index", index)
        run("scheduler", "--once", "--queue", queue, "--index", index)
        run("worker", "-j", "1", "--max-jobs", "1", "--mode", "static", "--analyzer", "diff.diff_analyzers:recorded",
            "--queue", queue, "--index", index, "--results", str(results))
    store = LocalStore(results)
    assert store.get(OLD, "report")["diff"] is None
    d = store.get(NEW, "report")["diff"]
    assert d["from"] == "1.0.0" and d["changed"]
    assert "npm-script package.json [postinstall]" in [h["value"] for h in d["added"]["install_hooks"]]
