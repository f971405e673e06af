"""pkgtrace's static pass against OSSF package-analysis' own test vectors.

tests/fixtures/ossf/ holds the inputs and expected values of OSSF's detection, signals and
JavaScript parsing tests, transcribed as data (its source and commit are in each file). Every
vector must come out as OSSF expects, except the ones in DELIBERATE: there pkgtrace answers
differently on purpose, the answer it gives instead is written down with the reason, and the test
checks that answer, so a difference cannot appear, vanish or change unnoticed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pkgtrace.api.ossf_static import StaticRecord
from pkgtrace.model import Ecosystem
from pkgtrace.static.parsing import DECLARED, Identifier, IdentifierKind, ParseResult, StringLiteral, parser_for
from pkgtrace.static.signals import (file_signals, find_base64, find_hex, find_ips, find_urls,
                                     is_highly_escaped)
from static.builders import npm_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ossf"
DETECTIONS = json.loads((FIXTURES / "detections.json").read_text())
PARSING = json.loads((FIXTURES / "parsing_and_signals.json").read_text())

_VERSION_QUAD = ("a quad of one-digit parts is a version number far more often than a host "
                 "(\"1.2.3.4\" in \"v1.2.3.4.5\", __version__ = \"0.1.2.3\"); repeated-octet resolvers "
                 "(8.8.8.8, 1.1.1.1) and addresses with a two-digit part are still reported")
_TEMPLATE_RAW = ("raw is the template as written; OSSF rebuilds it with `${}` for each expression, "
                 "which hides what the template interpolates (the value has `${}` in both)")

# (vector set, input) -> (what pkgtrace answers, why it differs from OSSF)
DELIBERATE: dict[tuple[str, str], tuple[object, str]] = {
    ("urls.invalid", "ftps://foo.bar/"): (
        ["ftps://foo.bar/"], "FTPS is a scheme a payload can fetch from; OSSF's scheme list lacks it"),
    ("ipv4.valid", "1.0.1.0"): ([], _VERSION_QUAD),
    ("ipv4.valid", "0.1.2.3"): ([], _VERSION_QUAD),
    ("ipv6.valid", "::"): (
        [], "a lone `::` is what scope operators look like (std::fmt, Foo::Bar) and the unspecified "
            "address names no host"),
    ("ipv6.invalid", "::1:2:3:45:6:7:8"): (
        ["::1:2:3:45:6:7:8"], "RFC 4291 lets `::` stand for a single group of zeros, so this is a "
                              "valid address (Python's ipaddress reads it); OSSF's Go parser refuses it"),
    ("js.raw", "test string declarations and templates"): (None, _TEMPLATE_RAW),
    ("js.raw", "more string templates"): (None, _TEMPLATE_RAW),
    ("js.identifiers", "test class definition"): (
        [["Variable", "Rectangle"], ["Function", "constructor"], ["Parameter", "height"],
         ["Parameter", "width"], ["Class", "Rectangle2"], ["Property", "test"],
         ["Function", "constructor"], ["Parameter", "height"], ["Parameter", "width"]],
        "class methods are kept as Function: OSSF types them Method and then drops that type, so a "
        "hex-mangled method name (`_0x3f2a() {…}`) would never reach its suspicious-identifier rules"),
}
# Differences outside the vectors' own checks, stated where they are tested:
# - BigInt literals: OSSF's parser reads them and its record drops them (neither string nor
#   float64); pkgtrace lists them as int_literals (test_big_integers_are_int_literals).
# - Findings repeated with the same value are listed once per file (OSSF repeats them); an
#   escaped string is one per distinct raw spelling (test_file_signals_vectors).


def _expect(key: tuple[str, str], ossf_answer: object) -> object:
    return DELIBERATE[key][0] if key in DELIBERATE else ossf_answer


def _used(prefix: str) -> set[str]:
    return {k[1] for k in DELIBERATE if k[0] == prefix}


def test_every_deliberate_difference_has_a_reason():
    assert all(len(why) > 40 for _, why in DELIBERATE.values())


@pytest.mark.parametrize("url", DETECTIONS["urls"]["valid"])
def test_valid_urls(url):
    assert find_urls(url) == _expect(("urls.valid", url), [url])


@pytest.mark.parametrize("url", DETECTIONS["urls"]["invalid"])
def test_invalid_urls(url):
    got = find_urls(url)
    if ("urls.invalid", url) in DELIBERATE:
        assert got == DELIBERATE[("urls.invalid", url)][0]
    else:
        assert got != [url]


@pytest.mark.parametrize("family", ["ipv4", "ipv6"])
def test_ip_vectors(family):
    def same_family(found):
        return [a for a in found if (":" in a) == (family == "ipv6")]
    for addr in DETECTIONS[family]["valid"]:
        assert same_family(find_ips(addr)) == _expect((f"{family}.valid", addr), [addr]), addr
    for addr in DETECTIONS[family]["invalid"]:
        got = find_ips(addr)
        if (f"{family}.invalid", addr) in DELIBERATE:
            assert got == DELIBERATE[(f"{family}.invalid", addr)][0], addr
        else:
            assert got != [addr], addr
    # every listed difference is one of the vectors (none left over from an old version)
    assert _used(f"{family}.valid") <= set(DETECTIONS[family]["valid"])
    assert _used(f"{family}.invalid") <= set(DETECTIONS[family]["invalid"])


def test_base64_hex_and_escape_vectors():
    for text, want in DETECTIONS["base64"]:
        assert find_base64(text) == want, text[:40]
    for text, want in DETECTIONS["hex"]:
        assert find_hex(text) == want, text
    for value, raw, want in DETECTIONS["highly_escaped"]:
        assert is_highly_escaped(StringLiteral(value, raw, 1)) is want, raw


@pytest.mark.parametrize("case", PARSING["file_signals"], ids=lambda c: c["name"])
def test_file_signals_vectors(case):
    pr = ParseResult(language="javascript",
                     identifiers=[Identifier(n, IdentifierKind(t), 1) for n, t in case["identifiers"]],
                     strings=[StringLiteral(v, r, 1) for v, r in case["strings"]])
    fs = file_signals(pr)
    got = {"identifier_lengths": {str(k): v for k, v in fs.identifier_lengths.items()},
           "string_lengths": {str(k): v for k, v in fs.string_lengths.items()},
           "suspicious_identifiers": fs.suspicious_identifiers, "escaped_strings": fs.escaped_strings,
           "base64_strings": fs.base64_strings, "hex_strings": fs.hex_strings,
           "ip_addresses": fs.ip_addresses, "urls": fs.urls}
    assert got == case["expected"]


def test_repeated_findings_are_listed_once_but_each_spelling_of_an_escape_counts():
    same = StringLiteral("aGVsbG8gd29ybGQK", '"aGVsbG8gd29ybGQK"', 1)
    fs = file_signals(ParseResult(language="javascript", strings=[same, same]))
    assert fs.base64_strings == ["aGVsbG8gd29ybGQK"]  # OSSF: twice
    # The evasion: one payload escaped twice, differently, is two findings, not one.
    octal = StringLiteral("@ABCDEFGH", "".join(f"\\{ord(c):o}" for c in "@ABCDEFGH"), 1)
    hexed = StringLiteral("@ABCDEFGH", "".join(f"\\x{ord(c):02x}" for c in "@ABCDEFGH"), 2)
    fs = file_signals(ParseResult(language="javascript", strings=[octal, hexed, octal]))
    assert [e["raw"] for e in fs.escaped_strings] == [octal.raw, hexed.raw]


_JS_CASES = [c for c in PARSING["js_parsing"] if c["valid"]]


@pytest.mark.parametrize("case", _JS_CASES, ids=lambda c: c["name"])
def test_js_parsing_vectors(case):
    pr = parser_for("javascript").parse(case["input"].encode())
    assert not pr.syntax_errors
    ids = [[i.kind.value, i.name] for i in pr.identifiers if i.kind in DECLARED]
    assert ids == _expect(("js.identifiers", case["name"]), case["identifiers"])
    strings = [(t, v, r) for t, v, r in case["literals"] if t in ("String", "StringTemplate", "Regexp")]
    assert [s.value for s in pr.strings] == [v for _, v, _ in strings]
    if ("js.raw", case["name"]) in DELIBERATE:
        # the raw text as written, templates included
        src = case["input"]
        assert all(s.raw in src for s in pr.strings)
        assert [s.raw for s in pr.strings if not s.raw.startswith("`")] == \
            [r for t, _, r in strings if t != "StringTemplate"]
    else:
        assert [s.raw for s in pr.strings] == [r for _, _, r in strings]
    numbers = [(r, v) for t, v, r in case["literals"] if t in ("Numeric", "BigInt")]
    got = [(i.raw, i.value) for i in pr.ints] + [(f.raw, f.value) for f in pr.floats]
    assert sorted(got, key=str) == sorted(numbers, key=str)
    # OSSF's int/float split: an int is whatever strconv.ParseInt reads from the raw text
    assert {f.raw for f in pr.floats} == {r for r, v in numbers if isinstance(v, float)}


def test_big_integers_are_int_literals():
    case = next(c for c in _JS_CASES if c["name"] == "test big integers")
    pr = parser_for("javascript").parse(case["input"].encode())
    assert [(i.raw, i.value) for i in pr.ints] == [(r, v) for _, v, r in case["literals"]]


def test_float_literals_in_source_order():
    src = b"x = [1.5, 2, 0.25, 3e-2, 7, 1.5e3, .5];\n"
    pr = parser_for("javascript").parse(src)
    assert [f.raw for f in pr.floats] == ["1.5", "0.25", "3e-2", "1.5e3", ".5"]
    assert [i.raw for i in pr.ints] == ["2", "7"]


def test_regex_literal_is_scanned_like_a_string(analyse):
    # The evasion: the address lives in a regex, where a string-only scan never looks.
    data = npm_bytes("rx", "1.0.0", {"index.js": b"const r = /https:\\/\\/203\\.0\\.113\\.7\\/x/;\n"
                                                 b"const s = /10.20.30.40/g;\n"})
    doc, _ = analyse(data, Ecosystem.NPM, "rx-1.0.0.tgz")
    (js,) = [f for f in doc["results"]["files"] if f["filename"].endswith("index.js")]
    assert [s["raw"] for s in js["js"]["string_literals"]] == \
        ["/https:\\/\\/203\\.0\\.113\\.7\\/x/", "/10.20.30.40/g"]
    assert js["ip_addresses"] == ["10.20.30.40"]


def test_unparsable_javascript_gets_no_js_object(analyse):
    case = next(c for c in PARSING["js_parsing"] if not c["valid"])
    data = npm_bytes("bad", "1.0.0", {"index.js": case["input"].encode(),
                                      "ok.js": b"var a = \"8.8.8.8\";\n"})
    doc, section = analyse(data, Ecosystem.NPM, "bad-1.0.0.tgz")
    StaticRecord.model_validate(doc)
    files = {f["filename"].rsplit("/", 1)[-1]: f for f in doc["results"]["files"]}
    assert "js" not in files["index.js"]  # as OSSF: parsing failed, so no token lists
    assert files["ok.js"]["js"]["string_literals"][0]["value"] == "8.8.8.8"
    assert files["ok.js"]["ip_addresses"] == ["8.8.8.8"]
    # what parsed of the broken file is kept for pkgtrace's own readers, marked
    (bad,) = [t for t in section["tokens"] if t["filename"].endswith("index.js")]
    assert bad["syntax_errors"] is True and "tokens" in bad
