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


def test_near_keeps_only_hits_with_every_also_pattern_close_by(tmp_path):
    # decoys first in the file (more than max_hits of them) do not hide the chain at the end
    from pkgtrace.verdict.evidence import CodeFile, Evidence
    from pkgtrace.verdict.match import run_code_rule
    from pkgtrace.verdict.model import Match, Rule
    rule = Rule(id="T-NEAR", description="chain", severity="high",
                match=Match(code=True, pattern=r"APPDATA", also=[r"download\(", r"run\("], near=3))
    text = "APPDATA\n" * 8 + "x = 1\n" * 20 + "APPDATA\ndownload(u)\nrun(p)\n"
    ev = Evidence("pypi", "pkg", "1", code=[CodeFile("pkg/a.py", "python", text, "0", "other")])
    got = run_code_rule(rule, ev)
    assert [f.evidence["line"] for f in got] == [29]
    # the same three capabilities scattered over the module are no hit
    text = "APPDATA\n" + "x = 1\n" * 20 + "download(u)\n" + "x = 1\n" * 20 + "run(p)\n"
    ev.code = [CodeFile("pkg/a.py", "python", text, "0", "other")]
    assert run_code_rule(rule, ev) == []
