"""Line numbers for keys: the JSON scanner must not be fooled by strings that look like syntax."""

from __future__ import annotations

import json

from pkgtrace.lockfiles.common import json_lines, table_array_lines


def test_json_lines_ignores_syntax_inside_strings():
    doc = {"a": {"we{ird\"key": [1, {"x": "}]:,"}], "b": "c"}, "d": [[], {}], "e": "\\"}
    text = json.dumps(doc, indent=2)
    lines = json_lines(text)
    got = {k: text.split("\n")[v - 1].strip() for k, v in lines.items()}
    assert got[("a",)].startswith('"a"')
    assert got[("a", 'we{ird"key')].startswith('"we{ird\\"key"')
    assert got[("a", 'we{ird"key', 1, "x")] == '"x": "}]:,"'
    assert got[("a", "b")] == '"b": "c"'
    assert got[("d",)].startswith('"d"') and got[("e",)] == '"e": "\\\\"'
    assert json_lines('{"k": 1}') == {("k",): 1}


def test_table_array_lines_point_at_names():
    text = '[[package]]\n# c\nname = "a"\n\n[[package]]\n[package.source]\nname = "not-this"\n'
    assert table_array_lines(text, "package") == [3, 5]
