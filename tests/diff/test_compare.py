"""compare(): bounded output for huge releases."""

from __future__ import annotations


def test_large_diffs_are_capped_but_counted():
    from pkgtrace.diff import compare
    from pkgtrace.diff.behaviour import Behaviour
    from pkgtrace.diff.compare import MAX_ITEMS
    old, new = Behaviour("1.0"), Behaviour("2.0")
    for i in range(MAX_ITEMS + 5):
        new.add("files", f"write /tmp/f{i:05d}", "install")
        new.files_sha256[f"src/f{i:05d}.js"] = "aa"
    d = compare(old, new)
    assert len(d["added"]["files"]) == MAX_ITEMS and d["summary"]["files"]["added"] == MAX_ITEMS + 5
    assert len(d["contents"]["added"]) == MAX_ITEMS and d["summary"]["contents"]["added"] == MAX_ITEMS + 5
    assert d["truncated"] is True
