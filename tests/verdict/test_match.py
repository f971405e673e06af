"""Code rules with a follower (`then` within N characters on the same line): matched by two
linear scans instead of a bounded-gap regex, with the gap regex's meaning."""

from __future__ import annotations

import re

from pkgtrace.verdict.match import _hits

START, THEN = re.compile(r"\bexec\s*\("), re.compile(r"b64decode")


def spans(text, within=30):
    return [text[a:b] for a, b in _hits(START, THEN, within, text, 5)]


def test_follower_on_the_same_line_within_reach():
    assert spans("exec(base64.b64decode(x))") == ["exec(base64.b64decode"]


def test_follower_on_the_next_line_or_out_of_reach_is_no_hit():
    assert spans("exec(x)\nb64decode(y)") == []
    assert spans("exec(" + "a" * 31 + "b64decode") == []
    assert spans("exec(" + "a" * 30 + "b64decode") != []


def test_follower_before_the_start_is_no_hit():
    assert spans("b64decode(x); exec(y)") == []


def test_many_starts_and_one_far_follower_still_pair_correctly():
    # a crafted line: thousands of starts, the follower only after the last one
    text = "exec(" * 20_000 + "b64decode"
    got = _hits(START, THEN, 30, text, 5)
    assert len(got) == 5 and all(text[b - 9:b] == "b64decode" for _, b in got)
    assert all(b - a <= 30 + 5 + 9 for a, b in got)


def test_without_follower_plain_pattern_hits_are_capped():
    assert len(_hits(START, None, 0, "exec(" * 100, 5)) == 5
