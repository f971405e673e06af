"""Suppressions files: which releases and findings they silence, and clear errors for bad ones."""

from __future__ import annotations

import datetime as dt

import pytest

from pkgtrace.api import Finding
from pkgtrace.model import Ecosystem, Package
from pkgtrace.verify.records import record_from
from pkgtrace.verdict.suppressions import SuppressionError, load as load_suppressions

REC = record_from("malicious", 90, [Finding(rule="r1", severity="high", message="m", source="static", hash="aa" * 16),
                                    Finding(rule="r2", severity="low", message="m", source="static",
                                            evidence={"file": "x"})])
PKG = Package(Ecosystem.NPM, "@scope/pkg", "1.2.0")


def load(tmp_path, text: str, name: str = "s.yaml", **kw):
    p = tmp_path / name
    p.write_text(text)
    return load_suppressions(p, **kw)


def test_whole_release_by_version_and_any_version(tmp_path):
    s = load(tmp_path, "- {package: npm/@scope/pkg@1.2.0, reason: pinned fork}\n")
    assert s.reason_for(PKG, REC) == "pinned fork"
    assert s.reason_for(Package(Ecosystem.NPM, "@scope/pkg", "1.3.0"), REC) is None
    s = load(tmp_path, "- {package: '@scope/pkg', reason: 'any ecosystem, any version'}\n")
    assert s.reason_for(Package(Ecosystem.NPM, "@scope/pkg", "9.9.9"), REC) == "any ecosystem, any version"


def test_rules_must_cover_every_finding(tmp_path):
    s = load(tmp_path, "suppressions:\n  - {package: npm/@scope/pkg, rule: r1, reason: a}\n")
    assert s.reason_for(PKG, REC) is None  # r2 still stands
    s = load(tmp_path, "suppressions:\n  - {package: npm/@scope/pkg, rule: r1, reason: a}\n"
                       "  - {package: npm/@scope/pkg, rule: r2, reason: b}\n")
    assert s.reason_for(PKG, REC) == "a; b"


def test_hash_keyed_entries_match_only_that_content(tmp_path):
    # the verdict engine's format: package@version, rule, hash
    both = "  - {package: npm/@scope/pkg, rule: r2, reason: b}\n"
    s = load(tmp_path, f"suppressions:\n  - {{package: npm/@scope/pkg@1.2.0, rule: r1, hash: '{'aa' * 16}', reason: a}}\n" + both)
    assert s.reason_for(PKG, REC) == "a; b"
    s = load(tmp_path, f"suppressions:\n  - {{package: npm/@scope/pkg, rule: r1, hash: '{'bb' * 16}', reason: a}}\n" + both)
    assert s.reason_for(PKG, REC) is None  # changed content, another hash: not silenced


def test_pypi_names_are_folded(tmp_path):
    s = load(tmp_path, "- {package: pypi/Jaraco.Classes, reason: ok}\n")
    assert s.reason_for(Package(Ecosystem.PYPI, "jaraco-classes", "3.4.0"), REC) == "ok"


def test_expired_entries_are_set_aside(tmp_path):
    s = load(tmp_path, "- {package: npm/@scope/pkg, reason: old, expires: 2026-01-01}\n", today=dt.date(2026, 6, 1))
    assert s.entries == [] and s.expired[0].reason == "old"
    assert s.reason_for(PKG, REC) is None


@pytest.mark.parametrize("text, message", [
    ("- {package: npm/x}\n", "suppressions[0].reason: required"),
    ("- {reason: r}\n", "suppressions[0].package: required"),
    ("- {package: cobol/x, reason: r}\n", "unknown ecosystem 'cobol'"),
    ("- {package: npm/x, reason: r, colour: red}\n", "unknown key(s) colour"),
    ("- {package: npm/x, reason: r, expires: soon}\n", "expires: expected a date"),
    ("- {package: npm/x, reason: r, hash: abc}\n", "a hash needs the rule"),
    ("- {package: npm/x@1.0, version: '2.0', reason: r}\n", "contradicts"),
    ("suppressions: {package: x}\n", "expected a list"),
    ("- [unclosed\n", "not valid YAML"),
])
def test_bad_files_say_what_is_wrong(tmp_path, text, message):
    with pytest.raises(SuppressionError, match=None) as e:
        load(tmp_path, text)
    assert message in str(e.value) and str(tmp_path) in str(e.value)
