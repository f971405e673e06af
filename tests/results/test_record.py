"""Recording an analysis (results/record.py) as `pkgtrace analyze` does it: the documents are
stored, indexed, and the report carries the diff against the predecessor release."""

from __future__ import annotations

from builders import pypi_sdist
from clirun import run_cli
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import open_index
from pkgtrace.results.index.query import analysed_versions
from pkgtrace.results.stores.local import LocalStore

import json

SETUP = "from setuptools import setup\nsetup(name='rec-demo', version='%s')\n"


def analyze(tmp_path, artifact, index: str) -> dict:
    p = run_cli("analyze", "pypi", "--local", str(artifact), "--mode", "static", "--results",
                str(tmp_path / "results"), "--index", index, "--json")
    return json.loads(p.stdout)


def test_analyze_records_both_releases_and_the_diff(tmp_path):
    index = f"sqlite:///{tmp_path / 'index.db'}"
    old = pypi_sdist(tmp_path / "a", "rec-demo", "1.0", {"setup.py": SETUP % "1.0"})
    new = pypi_sdist(tmp_path / "b", "rec-demo", "1.1", {
        "setup.py": SETUP % "1.1", "rec_demo/__init__.py": "URL = 'http://collector.example/upload'\n"})
    first = analyze(tmp_path, old, index)
    assert first["report"]["diff"] is None  # nothing before it
    printed = analyze(tmp_path, new, index)
    store = LocalStore(tmp_path / "results")
    stored = store.get(Package(Ecosystem.PYPI, "rec-demo", "1.1"), "report")
    assert stored == printed["report"]  # what is printed is what is stored
    assert stored["diff"]["from"] == "1.0" and stored["diff"]["to"] == "1.1"
    idx = open_index(index)
    try:
        assert sorted(analysed_versions(idx, Ecosystem.PYPI, "rec-demo")) == ["1.0", "1.1"]
    finally:
        idx.close()


def test_a_renamed_spelling_does_not_escape_the_diff(tmp_path):
    """The next release spells its name differently (case, _ for -): it is still the same PyPI
    project, so it is still compared with the release before."""
    index = f"sqlite:///{tmp_path / 'index.db'}"
    analyze(tmp_path, pypi_sdist(tmp_path / "a", "rec-demo", "1.0", {"setup.py": SETUP % "1.0"}), index)
    sneaky = pypi_sdist(tmp_path / "b", "Rec_Demo", "1.1", {"setup.py": SETUP % "1.1"})
    report = analyze(tmp_path, sneaky, index)["report"]
    assert report["diff"] is not None and report["diff"]["from"] == "1.0"


def test_an_unwritable_dataset_still_stores_the_documents(tmp_path):
    (tmp_path / "not-a-folder").write_text("")
    index = f"sqlite:///{tmp_path / 'not-a-folder' / 'index.db'}"
    artifact = pypi_sdist(tmp_path / "a", "rec-demo", "1.0", {"setup.py": SETUP % "1.0"})
    p = run_cli("analyze", "pypi", "--local", str(artifact), "--mode", "static", "--results",
                str(tmp_path / "results"), "--index", index)
    assert "not recorded in the dataset" in p.stderr
    assert LocalStore(tmp_path / "results").get(Package(Ecosystem.PYPI, "rec-demo", "1.0"), "report")
