"""`pkgtrace eval` judges with metadata, and both sides on the same evidence: benign releases
get the registry's record (history as of the judged release), malicious samples what they carry
themselves, and a failed look-up counts exactly like a removed package (no label leak).

TEST FIXTURES, NOT MALWARE: the "malicious" packages are source-text patterns only."""

from __future__ import annotations


import pytest

from eval.corpus import corpus_folder
from clirun import run_cli_json
from services import FixtureRegistry
from verdict.fixtures import sdist
from pkgtrace.ecosystems import release_history

HOOKED = {"setup.py": "import base64\nexec(base64.b64decode('cHJpbnQoMSk='))\n"
                      "from setuptools import setup\nsetup()\n"}


@pytest.fixture
def registry(monkeypatch):
    reg = FixtureRegistry()
    monkeypatch.setenv("PKGTRACE_PYPI_URL", reg.url)
    monkeypatch.setenv("PKGTRACE_HTTP_TIMEOUT", "2")
    yield reg
    reg.close()


@pytest.fixture
def corpus(tmp_path, registry):
    folder = corpus_folder(tmp_path, {"evilpkg/1.0.0/evilpkg-1.0.0.tar.gz": sdist("evilpkg", HOOKED)},
                           {"benign-test-stream-pypi.txt": "freshpkg\noldpkg\n"})
    registry.add_pypi_release("freshpkg", "0.1.0", {"freshpkg/__init__.py": "X = 1\n"})
    for v in ("1.0.0", "1.1.0", "1.2.0"):
        registry.add_pypi_release("oldpkg", v, {"oldpkg/__init__.py": "Y = 2\n"})
    # the removed malware's name taken again since by someone else (a registry placeholder)
    registry.add_pypi_release("evilpkg", "0.0.1", {"evilpkg/__init__.py": ""})
    return folder


def _by_name(out: dict) -> dict[str, dict]:
    return {r["name"]: r for r in out["results"]}


def test_benign_releases_get_registry_history_and_samples_what_they_carry(corpus, registry, tmp_path):
    work = tmp_path / "w"
    out = run_cli_json("eval", str(corpus), "--work", str(work), "-j", "1", "--folds", "0")
    r = _by_name(out)
    assert r["freshpkg"]["metadata_source"] == "registry"
    assert "META-SINGLE-NEW-RELEASE" in r["freshpkg"]["rules"]
    assert r["oldpkg"]["metadata_source"] == "registry"
    assert "META-SINGLE-NEW-RELEASE" not in r["oldpkg"]["rules"]
    assert out["summary"]["metadata_sources"] == {"malicious": {"artifact": 1},
                                                   "benign": {"registry": 2}}
    # the sample is never looked up: the name now answers for another package
    assert r["evilpkg"]["metadata_source"] == "artifact"
    assert not any("/pypi/evilpkg/" in path for _, path in registry.requests)
    assert r["evilpkg"]["label"] == "malicious"
    # cached in the work folder: a re-judge asks the registry nothing
    assert sorted(p.name for p in (work / "metadata").iterdir()) == [
        "benign__pypi__freshpkg.json", "benign__pypi__oldpkg.json"]
    registry.requests.clear()
    again = run_cli_json("eval", str(corpus), "--work", str(work), "--rejudge", "--folds", "0")
    assert registry.requests == []
    assert _by_name(again)["freshpkg"]["rules"] == r["freshpkg"]["rules"]
    # without the cache, the record the stored report kept is used: still no registry request
    for p in (work / "metadata").iterdir():
        p.unlink()
    again = run_cli_json("eval", str(corpus), "--work", str(work), "--rejudge", "--folds", "0")
    assert registry.requests == []
    assert _by_name(again)["freshpkg"]["metadata_source"] == "registry"
    assert "META-SINGLE-NEW-RELEASE" in _by_name(again)["freshpkg"]["rules"]


def test_a_failed_look_up_is_judged_like_a_removed_package_and_tried_again(corpus, registry, tmp_path):
    work = tmp_path / "w"
    plain = run_cli_json("eval", str(corpus), "--work", str(work), "--side", "benign", "-j", "1",
                         "--no-metadata", "--folds", "0")
    assert plain["summary"]["metadata_sources"] == {"benign": {"none": 2}}
    registry.fault("/pypi/freshpkg/json", *["500"] * 10)
    out = run_cli_json("eval", str(corpus), "--work", str(work), "--side", "benign", "--rejudge",
                       "--folds", "0")
    fresh = _by_name(out)["freshpkg"]
    # "not found on the registry" is no signal: the same verdict as with no metadata at all
    assert fresh["metadata_source"] == "artifact"
    assert (fresh["label"], fresh["score"], fresh["rules"]) == (
        _by_name(plain)["freshpkg"]["label"], _by_name(plain)["freshpkg"]["score"],
        _by_name(plain)["freshpkg"]["rules"])
    assert not (work / "metadata" / "benign__pypi__freshpkg.json").exists()
    registry.faults.clear()
    out = run_cli_json("eval", str(corpus), "--work", str(work), "--side", "benign", "--rejudge",
                       "--folds", "0")
    assert _by_name(out)["freshpkg"]["metadata_source"] == "registry"


def test_registry_history_is_as_of_the_judged_release(registry):
    for v in ("1.0.0", "1.1.0", "2.0.0"):
        registry.add_pypi_release("histpkg", v)
    first = release_history("pypi", "histpkg", "1.0.0")
    assert first["release_count"] == 1 and first["previous_version"] is None
    assert first["release_time"] == first["first_release"]
    second = release_history("pypi", "histpkg", "1.1.0")
    assert second["release_count"] == 2 and second["previous_version"] == "1.0.0"
    assert release_history("pypi", "histpkg", "2.0.0")["release_count"] == 3
    assert release_history("pypi", "nosuchpkg", "1.0") is None
