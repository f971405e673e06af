from __future__ import annotations

from dataclasses import replace

from pkgtrace.formats import get_format


def test_table_for_people(rows, ctx):
    out = get_format("table").render(rows, ctx)
    assert "\x1b[" not in out  # no colour unless asked
    lines = out.split("\n")
    order = [w for ln in lines for w in ("malicious", "suspicious", "unknown", "benign", "not-looked-up")
             if ln.startswith("│ " + w)]
    assert order == ["malicious", "suspicious", "suspicious", "unknown", "benign", "benign", "not-looked-up"]
    assert "install-hook-exfiltrates-env" in out and "(+1 more)" in out
    assert "workspace dependency: packages/app" in out
    assert out.rstrip().endswith("1 malicious, 2 suspicious, 2 benign, 1 unknown, 1 not looked up")


def test_table_colour(rows, ctx):
    assert "\x1b[" in get_format("table").render(rows, replace(ctx, color=True))
