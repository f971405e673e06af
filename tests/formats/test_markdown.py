from __future__ import annotations

from pkgtrace.formats import get_format

from .conftest import make_rows


def test_markdown_report(rows, ctx):
    md = get_format("markdown").render(rows, ctx)
    assert md.startswith("## pkgtrace verify\n")
    assert "🛑 **1 malicious** release(s)" in md
    row = next(ln for ln in md.split("\n") if "`npm/is-odd`" in ln)
    assert row.count(" | ") == 6  # seven cells: pipes inside messages are escaped
    assert "eval of a \\| decoded buffer" in row and "**critical** `install-hook-exfiltrates-env`" in row
    assert "new-maintainer" not in row  # only the top three findings
    assert "<details><summary>Not in the dataset: 1</summary>" in md
    assert "`npm/@isaacs/string-locale-compare@1.1.0`" in md
    assert "workspace: packages/app" in md


def test_markdown_clean_and_suppressed(ctx):
    rows = make_rows(suppress={("is-odd", "3.0.1"): "reviewed", ("ms", "2.1.2"): "x", ("ms", "2.1.3"): "y"})
    md = get_format("markdown").render(rows, ctx)
    assert "✅ No release is labelled suspicious or malicious." in md
    assert "3 suppressed" in md and "malicious (suppressed)" in md
