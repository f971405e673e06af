"""Running one rule over the evidence: the findings it produces, each with its evidence."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache

from pkgtrace.verdict.evidence import CodeFile, Evidence
from pkgtrace.verdict.model import Finding, Rule

EXCERPT = 200
_NEAR_HITS = 1000  # hits of a `near` rule examined per file


@lru_cache(maxsize=4096)
def _rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)


def _value_matches(cond, value) -> bool:
    if isinstance(cond, list):
        return any(_value_matches(c, value) for c in cond)
    if isinstance(cond, bool):
        return bool(value) is cond
    if isinstance(cond, (int, float)):
        return value == cond
    if cond is None:
        return value is None
    return value is not None and _rx(str(cond)).search(str(value)) is not None


def fact_matches(where: dict, unless, fact: dict) -> bool:
    for key, cond in where.items():
        if not _value_matches(cond, fact.get(key)):
            return False
    if isinstance(unless, dict) and unless:
        if any(_value_matches(cond, fact.get(key)) for key, cond in unless.items()):
            return False
    return True


def _fill(template: str | None, default: str, values: dict) -> str:
    if not template:
        return default
    try:
        return template.format_map(_Safe({k: _short(v) for k, v in values.items()}))
    except (ValueError, IndexError):
        return template


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _short(v) -> str:
    s = " ".join(v) if isinstance(v, list) else str(v)
    s = s.replace("\n", " ")
    return s if len(s) <= EXCERPT else s[:EXCERPT] + "…"


def run_fact_rule(rule: Rule, ev: Evidence) -> list[Finding]:
    m = rule.match
    out: list[Finding] = []
    seen: set[str] = set()
    for fact in ev.of(m.fact or ""):
        if not fact_matches(m.where, m.unless, fact):
            continue
        evidence = {k: (_short(v) if isinstance(v, (str, list)) else v)
                    for k, v in fact.items() if k not in ("kind", "source") and v not in ("", None)}
        ctx = _file_context(fact, ev)
        if ctx:
            evidence["context"] = ctx
        key = repr(sorted((k, str(v)) for k, v in evidence.items() if k not in ("pid", "line")))
        if key in seen:
            continue
        seen.add(key)
        out.append(Finding(rule=rule.id, severity=rule.severity,
                           message=_fill(rule.message, rule.description, fact),
                           source=rule.source, evidence=evidence, phase=fact.get("phase"), attack=rule.attack,
                           hash=_fact_hash(fact, ev)))
        if len(out) >= m.max_hits:
            break
    return out


def _file_context(fact: dict, ev: Evidence) -> str:
    if fact.get("source") != "static" or not fact.get("file"):
        return ""
    return next((c.context for c in ev.code if c.path == fact["file"]), "")


def _fact_hash(fact: dict, ev: Evidence) -> str | None:
    # Static facts point at a file: its hash. Dynamic behaviour belongs to the whole artifact.
    if fact.get("source") == "static" and fact.get("file"):
        for c in ev.code:
            if c.path == fact["file"]:
                return c.sha256
        for f in ev.of("file"):
            if f.get("file") == fact["file"] and f.get("sha256"):
                return f["sha256"]
    return ev.artifact_sha256


def _file_selected(rule: Rule, cf: CodeFile) -> bool:
    w = rule.match.where
    for key, cond in w.items():
        value = {"language": cf.language, "role": cf.role, "path": cf.path,
                 "minified": cf.minified}.get(key)
        if not _value_matches(cond, value):
            return False
    return True


def run_code_rule(rule: Rule, ev: Evidence) -> list[Finding]:
    m = rule.match
    flags = re.I if m.ignore_case else 0
    pat = _rx(m.pattern or "", flags | re.M)
    unless = m.unless if isinstance(m.unless, list) else ([m.unless] if isinstance(m.unless, str) else [])
    then = _rx(m.then, flags | re.M) if m.then else None
    out: list[Finding] = []
    for cf in ev.code:
        if not _file_selected(rule, cf):
            continue
        # with `near` or comments skipped, every hit is a candidate: decoys first in the file must
        # not hide the chain
        hits = _hits(pat, then, m.within, cf.text,
                     m.max_hits if m.near is None and m.comments else _NEAR_HITS)
        if not m.comments:
            hits = [h for h in hits if not _COMMENT_LINE.match(cf.text, cf.text.rfind("\n", 0, h[0]) + 1)]
        if not hits:
            continue
        also = [_rx(a, flags | re.M) for a in m.also]
        if m.near is not None:
            hits = [h for h in hits if all(a.search(_around(cf.text, h, m.near)) for a in also)][:m.max_hits]
            if not hits:
                continue
        elif any(not a.search(cf.text) for a in also):
            continue
        if any(_rx(u, flags | re.M).search(cf.text) for u in unless):
            continue
        n = 0
        for h_start, h_end in hits:
            line = cf.text.count("\n", 0, h_start) + 1
            start = cf.text.rfind("\n", 0, h_start) + 1
            end = cf.text.find("\n", h_end)
            end = len(cf.text) if end < 0 else end
            excerpt = cf.text[max(start, h_start - 80):min(end, h_end + 80)].strip()
            values = {"file": cf.path, "line": line, "match": cf.text[h_start:h_end], "role": cf.role}
            out.append(Finding(rule=rule.id, severity=rule.severity,
                               message=_fill(rule.message, rule.description, values),
                               source="static", evidence={"file": cf.path, "line": line, "role": cf.role,
                                          "excerpt": _short(excerpt), "sha256": cf.sha256,
                                          **({"context": cf.context} if cf.context else {})},
                               attack=rule.attack, hash=cf.sha256))
            n += 1
            if n >= m.max_hits:
                break
    return out


_COMMENT_LINE = re.compile(r"[ \t]*(?:#|//|/\*|\*[ \t])")


def _around(text: str, hit: tuple[int, int], lines: int) -> str:
    """The text from LINES lines before HIT to LINES lines after it."""
    start = hit[0]
    for _ in range(lines + 1):
        start = text.rfind("\n", 0, start)
        if start < 0:
            break
    end = hit[1] - 1
    for _ in range(lines + 1):
        end = text.find("\n", end + 1)
        if end < 0:
            end = len(text)
            break
    return text[max(start, 0):end]


def _hits(pat: re.Pattern[str], then: re.Pattern[str] | None, within: int, text: str,
          limit: int) -> list[tuple[int, int]]:
    """Spans of PAT, or of PAT followed by THEN on the same line within WITHIN characters:
    each pattern scanned once, the pairs found by bisection (linear in the text)."""
    if then is None:
        out = []
        for h in pat.finditer(text):
            out.append((h.start(), h.end()))
            if len(out) >= limit:
                break
        return out
    ends = [(t.start(), t.end()) for t in then.finditer(text)]
    if not ends:
        return []
    starts_of_ends = [e[0] for e in ends]
    newlines: list[int] | None = None
    out = []
    for h in pat.finditer(text):
        i = bisect_left(starts_of_ends, h.end())
        if i == len(ends) or ends[i][0] > h.end() + within:
            continue
        # the same line: no newline between the start's end and the follower's start
        if newlines is None:
            newlines = [n.start() for n in re.finditer("\n", text)]
        if bisect_right(newlines, ends[i][0] - 1) != bisect_right(newlines, h.end() - 1):
            continue
        out.append((h.start(), ends[i][1]))
        if len(out) >= limit:
            break
    return out
