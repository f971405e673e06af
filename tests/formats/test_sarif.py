from __future__ import annotations

import json

import jsonschema
import pytest

from pkgtrace.formats import RenderContext, get_format

from .conftest import FIXTURES, LOCKFILE, make_rows

SCHEMA = json.loads((FIXTURES / "sarif" / "sarif-schema-2.1.0.json").read_text())


def validate(doc: dict) -> None:
    cls = jsonschema.validators.validator_for(SCHEMA)
    cls.check_schema(SCHEMA)
    cls(SCHEMA).validate(doc)


def sarif(rows, ctx) -> dict:
    return json.loads(get_format("sarif").render(rows, ctx))


def test_validates_against_the_official_schema(rows, ctx):
    validate(sarif(rows, ctx))


def test_the_schema_check_can_fail(rows, ctx):
    doc = sarif(rows, ctx)
    doc["runs"][0]["results"][0]["level"] = "catastrophic"
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


def test_one_result_per_flagged_release_at_its_line(rows, ctx):
    doc = sarif(rows, ctx)
    (run,) = doc["runs"]
    results = run["results"]
    assert [(r["properties"]["package"], r["properties"]["version"], r["level"]) for r in results] == [
        ("is-odd", "3.0.1", "error"), ("ms", "2.1.2", "warning"), ("ms", "2.1.3", "warning")]
    lock_lines = LOCKFILE.read_text().split("\n")
    for r in results:
        loc = r["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "tests/fixtures/lockfiles/real/npm-v3/package-lock.json",
                                           "uriBaseId": "%SRCROOT%"}
        line = lock_lines[loc["region"]["startLine"] - 1]
        key = r["properties"]["lockfileKey"]  # packages["node_modules/…"]
        assert key.split('"')[1] in line
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"].startswith("file:///")


def test_rules_come_from_the_findings(rows, ctx):
    run = sarif(rows, ctx)["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert set(rule_ids) == {"install-hook-exfiltrates-env", "bait-file-read", "obfuscated-code",
                             "new-maintainer", "pkgtrace/suspicious-release"}  # ms 2.1.3 has no finding
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]
    malicious = run["results"][0]
    assert malicious["ruleId"] == "install-hook-exfiltrates-env"  # the most severe finding
    assert len(malicious["properties"]["findings"]) == 4
    assert "203.0.113.7" in malicious["message"]["text"]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["install-hook-exfiltrates-env"]["properties"]["security-severity"] == "9.5"


def test_suppressed_and_empty(ctx):
    rows = make_rows(suppress={("is-odd", "3.0.1"): "vendored copy, reviewed"})
    doc = sarif(rows, ctx)
    validate(doc)
    (res,) = [r for r in doc["runs"][0]["results"] if r["properties"]["package"] == "is-odd"]
    assert res["suppressions"] == [{"kind": "external", "status": "accepted",
                                    "justification": "vendored copy, reviewed"}]
    empty = sarif([], RenderContext())
    validate(empty)
    assert empty["runs"][0]["results"] == [] and empty["version"] == "2.1.0"


def test_fingerprint_follows_the_release_not_the_line(rows, ctx):
    moved = [r.model_copy(update={"dependency": r.dependency.model_copy(update={"line": (r.dependency.line or 0) + 10})})
             for r in rows]
    a, b = sarif(rows, ctx)["runs"][0]["results"], sarif(moved, ctx)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in a] == [r["partialFingerprints"] for r in b]
    assert a[0]["locations"] != b[0]["locations"]


def test_lockfile_outside_the_base_dir_gets_an_absolute_uri(rows, tmp_path):
    doc = sarif(rows, RenderContext(base_dir=tmp_path))
    validate(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("file:///") and uri.endswith("/package-lock.json")
