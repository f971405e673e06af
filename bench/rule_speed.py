#!/usr/bin/env python3
"""bench/rule_speed: the slowest regular expressions of the code rules on hostile 1 MB lines.

    python bench/rule_speed.py [--size 1000000] [--top 15]

Every pattern of every code rule (pattern, then, also, unless) is searched once in each of a few
one-line texts that a package could ship to make backtracking regexes slow (minified code, long
runs of base64, escapes, quotes, spaces, repeated call prefixes). Printed: the slowest
(pattern, text) pairs in CPU seconds. Timings vary with load; use it to find rules to bound, not
as a pass/fail figure.
"""

from __future__ import annotations

import argparse
import random
import re
import string
import time

from pkgtrace.verdict.rules import load_rules


def hostile_lines(size: int) -> dict[str, str]:
    rnd = random.Random(0)
    b64 = "".join(rnd.choice(string.ascii_letters + string.digits + "+/") for _ in range(size))
    return {
        "letters": "a" * size,
        "base64": b64,
        "minified-js": ('var a=b.c(d,"e"),f=g[h]+i;' * (size // 26 + 1))[:size],
        "python": ('x = "abc" + y.z(q, r=1) ' * (size // 24 + 1))[:size],
        "hex-escapes": ("\\x41" * (size // 4 + 1))[:size],
        "quotes": ('"' * size),
        "spaces": " " * size,
        "calls": ("exec(eval(require(getattr(" * (size // 26 + 1))[:size],
        "urls": ("http://a.b/" * (size // 11 + 1))[:size],
        "words-dots": ("abc.def." * (size // 8 + 1))[:size],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    lines = hostile_lines(args.size)
    rows = []
    for rule in load_rules():
        m = rule.match
        if not m.code:
            continue
        unless = m.unless if isinstance(m.unless, list) else ([m.unless] if isinstance(m.unless, str) else [])
        flags = (re.I if m.ignore_case else 0) | re.M
        for which, pat in [("pattern", m.pattern or ""), *([("then", m.then)] if m.then else []),
                           *(("also", a) for a in m.also),
                           *(("unless", u) for u in unless)]:
            rx = re.compile(pat, flags)
            for name, text in lines.items():
                t0 = time.process_time()
                rx.search(text)
                rows.append((time.process_time() - t0, rule.id, which, name))
    rows.sort(reverse=True)
    for secs, rid, which, name in rows[:args.top]:
        print(f"{secs:7.3f} s  {rid:40s} {which:8s} {name}")
    print(f"total {sum(r[0] for r in rows):.2f} s over {len(rows)} searches")


if __name__ == "__main__":
    main()
