"""Rule files are data: every shipped rule is well formed, and a broken file says what is wrong."""

from __future__ import annotations

import pytest

from pkgtrace.verdict.rules import RuleError, load_rules


def test_shipped_rules_are_complete():
    rules = load_rules()
    assert {r.family for r in rules} == {"static", "dynamic", "metadata"}
    for r in rules:
        assert r.id and r.description and r.severity in ("low", "medium", "high", "critical")
        assert all(e in ("all", "pypi", "npm", "rubygems", "packagist", "crates.io") for e in r.ecosystems)
        assert r.attack is None or r.attack.startswith("T")


@pytest.mark.parametrize("body,complaint", [
    ("rules:\n  - id: X\n    description: d\n    severity: high\n    match: {code: true, pattern: '('}\n", "bad regex"),
    ("rules:\n  - id: X\n    description: d\n    severity: urgent\n    match: {fact: dns}\n", "severity"),
    ("rules:\n  - id: X\n    description: d\n    severity: low\n    match: {fact: dns}\n"
     "  - id: X\n    description: d\n    severity: low\n    match: {fact: dns}\n", "duplicate"),
    ("rules:\n  - id: X\n    description: d\n    severity: low\n    match: {all_of: [NOPE]}\n", "unknown rule"),
    ("rules:\n  - id: X\n    description: d\n    severity: low\n    match: {fact: dns, check: typosquat}\n", "exactly one"),
    ("nope: [", "static.yaml"),
])
def test_broken_rule_files_are_rejected_clearly(tmp_path, body, complaint):
    (tmp_path / "static.yaml").write_text(body)
    with pytest.raises(RuleError, match=complaint):
        load_rules(tmp_path)
