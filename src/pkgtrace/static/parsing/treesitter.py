"""The one tree-sitter engine every language module plugs a grammar and a query into.

Walking a tree node by node in Python costs a microsecond or more per node; a query runs in C and
hands back only the nodes we want, so each file is parsed once and visited once.
Capture names in the queries: def.function, def.class, def.variable, def.parameter, def.property,
def.label (identifiers by kind), call, string, int, float, number (int or float, decided from
its text), comment. References (`a.b`'s `b`) are not captured: OSSF keeps only declarations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Callable

import tree_sitter as ts

from pkgtrace.static.parsing.escapes import decode_escape, fix_surrogates
from pkgtrace.static.parsing.interface import (Call, Comment, FloatLiteral, Identifier,
                                               IdentifierKind, IntLiteral, ParseResult,
                                               StringLiteral)

MAX_TOKENS = 20_000        # per token list per file; the rest is counted as truncated
MAX_TOKEN_CHARS = 1 << 16  # a string literal longer than this is kept cut (raw and value)
MAX_CALLEE_CHARS = 120

_KINDS = {
    "def.function": IdentifierKind.FUNCTION, "def.class": IdentifierKind.CLASS,
    "def.variable": IdentifierKind.VARIABLE, "def.parameter": IdentifierKind.PARAMETER,
    "def.property": IdentifierKind.PROPERTY, "def.label": IdentifierKind.STATEMENT_LABEL,
}

# Children of a string node that hold text, escapes, or delimit it.
_CONTENT = frozenset({"string_content", "string_fragment", "heredoc_content", "heredoc_body",
                      "nowdoc_body", "nowdoc_string"})
_ESCAPE = frozenset({"escape_sequence"})
_DELIMS = frozenset({"string_start", "string_end", "heredoc_start", "heredoc_end",
                     "heredoc_beginning"})


@dataclass(frozen=True)
class LanguageSpec:
    name: str
    language: Callable[[], object]           # the grammar's language() capsule
    query: str
    # Per-language say on a string literal's value: (node type, raw text, generic value) -> value
    string_hook: Callable[[str, str, str], str] | None = None
    # Callee text from a captured call node, when the capture is not the callee itself.
    callee: Callable[[ts.Node], str | None] | None = None
    comment_prefixes: tuple[str, ...] = ("//", "#")


@dataclass
class _Compiled:
    parser: ts.Parser
    query: ts.Query


def _text(node: ts.Node) -> str:
    return node.text.decode("utf-8", "replace")  # type: ignore[union-attr]


def _content_value(node: ts.Node, src: bytes) -> str:
    """A content node's text with its escape children decoded and interpolations marked."""
    if node.child_count == 0:
        return _text(node)
    parts: list[str] = []
    pos = node.start_byte
    for c in node.children:
        if c.start_byte > pos:
            parts.append(src[pos:c.start_byte].decode("utf-8", "replace"))
        t = c.type
        if t in _ESCAPE:
            parts.append(decode_escape(_text(c)))
        elif t in _CONTENT:
            parts.append(_content_value(c, src))
        elif t in _DELIMS:
            pass
        elif c.is_named:
            parts.append("${}")  # an interpolation; its own literals are captured separately
        pos = c.end_byte
    if node.end_byte > pos:
        parts.append(src[pos:node.end_byte].decode("utf-8", "replace"))
    return "".join(parts)


def string_value(node: ts.Node, src: bytes) -> str:
    parts: list[str] = []
    for c in node.children:
        t = c.type
        if not c.is_named or t in _DELIMS:
            continue
        if t in _ESCAPE:
            parts.append(decode_escape(_text(c)))
        elif t in _CONTENT:
            parts.append(_content_value(c, src))
        else:
            parts.append("${}")  # OSSF's marker for a template substitution
    return fix_surrogates("".join(parts))


def _plain_string_value(node: ts.Node, src: bytes) -> str | None:
    """string_value's answer for the common literal, one content node with no escapes or
    interpolations between its two delimiters (nine in ten of them); None for any other shape.
    (Text decoded from UTF-8 holds no surrogates, so fix_surrogates has nothing to do.)"""
    if node.child_count != 3:
        return None
    a, c, b = node.children
    if c.child_count or not c.is_named or c.type not in _CONTENT:
        return None
    if (a.is_named and a.type not in _DELIMS) or (b.is_named and b.type not in _DELIMS):
        return None
    return src[c.start_byte:c.end_byte].decode("utf-8", "replace")


_NUM_SUFFIX = re.compile(r"(?:[iu](?:8|16|32|64|128|size)|f32|f64|n|[lLjJ])$")


def parse_number(raw: str) -> int | float | None:
    """Integer or float value of a numeric literal in any of the languages, or None."""
    s = raw.replace("_", "").strip()
    low = s.lower()
    if not low.startswith(("0x", "0b", "0o")):
        s = _NUM_SUFFIX.sub("", s)
    elif low.startswith("0x"):
        # Rust's integer suffixes and JS BigInt's `n`; neither is a hex digit.
        s = re.sub(r"(?:[iu](?:8|16|32|64|128|size)|n)$", "", s)
    else:
        s = _NUM_SUFFIX.sub("", s)
    if not s:
        return None
    try:
        return int(s, 0)
    except ValueError:
        pass
    if re.fullmatch(r"0[0-7]+", s):  # legacy octal: JS, PHP, Ruby, C
        return int(s, 8)
    try:
        return float(s)
    except ValueError:
        return None


_INT64 = (-(1 << 63), (1 << 63) - 1)


def _as_float(v: int | float) -> float:
    try:
        return float(v)
    except OverflowError:  # an integer literal past 1e308 (seen in pycryptodomex's tests)
        return math.inf if v > 0 else -math.inf


def strip_comment(text: str, prefixes: tuple[str, ...]) -> str:
    if text.startswith("/*"):
        return text[2:-2] if text.endswith("*/") else text[2:]
    if text.startswith("=begin"):
        return text[6:].removesuffix("=end")
    for p in prefixes:
        if text.startswith(p):
            return text[len(p):]
    return text


class TreeSitterParser:
    def __init__(self, spec: LanguageSpec):
        self.spec = spec
        self.language = spec.name
        self._compiled: _Compiled | None = None

    def _compile(self) -> _Compiled:
        if self._compiled is None:
            lang = ts.Language(self.spec.language())
            self._compiled = _Compiled(ts.Parser(lang), ts.Query(lang, self.spec.query))
        return self._compiled

    def parse(self, source: bytes) -> ParseResult:
        # The hot loop of the static pass: one Python step per captured node, so locals are
        # bound once and tokens are sorted once, by (byte offset, token) pairs.
        c = self._compile()
        root = c.parser.parse(source).root_node
        res = ParseResult(language=self.language, syntax_errors=root.has_error)
        captures = ts.QueryCursor(c.query).captures(root)
        get = captures.get
        first = itemgetter(0)

        seen: set[tuple[int, int]] = set()
        ids: list[tuple[int, Identifier]] = []
        # Declarations in this order, so that `self.x = …` is a Property and not also a Variable.
        for name in _DECLARATION_ORDER:
            nodes = get(name)
            if not nodes:
                continue
            kind = _KINDS[name]
            for n in nodes:
                start, end = n.start_byte, n.end_byte
                key = (start, end)
                if key in seen:
                    continue
                seen.add(key)
                # Slicing the source is cheaper than Node.text, which builds the same bytes.
                ids.append((start, Identifier(source[start:end].decode("utf-8", "replace")
                                              .lstrip("$#@"), kind, n.start_point[0] + 1)))
        res.identifiers, res.truncated = _sorted_capped(ids, first, res.truncated)

        hook = self.spec.string_hook
        strs: list[tuple[int, StringLiteral]] = []
        for n in get("string", ()):
            start, end = n.start_byte, n.end_byte
            raw = source[start:min(end, start + MAX_TOKEN_CHARS)].decode("utf-8", "replace")
            value = _plain_string_value(n, source)
            if value is None:
                value = string_value(n, source)
            if hook is not None:
                value = hook(n.type, raw, value)
            strs.append((start, StringLiteral(value[:MAX_TOKEN_CHARS], raw, n.start_point[0] + 1)))
        res.strings, res.truncated = _sorted_capped(strs, first, res.truncated)

        ints = res.ints
        floats: list[tuple[int, FloatLiteral]] = []
        lo, hi = _INT64
        for cap in ("int", "float", "number"):
            for n in get(cap, ()):
                raw = source[n.start_byte:n.end_byte].decode("utf-8", "replace")
                v = int(raw) if raw.isdigit() and (raw[0] != "0" or len(raw) == 1) and len(raw) < 4000 \
                    else parse_number(raw)  # (Python refuses int() of 4300+ digits)
                if v is None:
                    continue
                line = n.start_point[0] + 1
                if cap != "float" and isinstance(v, int) and lo <= v <= hi:
                    ints.append(IntLiteral(v, raw, line, n.start_byte, n.end_byte))
                else:
                    floats.append((n.start_byte, FloatLiteral(_as_float(v), raw, line)))
        ints.sort(key=_start)
        # Floats come from three captures; source order makes the list the same on every run.
        floats.sort(key=first)
        res.floats = floats = [f for _, f in floats]
        if len(ints) + len(floats) > 2 * MAX_TOKENS:
            res.truncated = True
            del ints[2 * MAX_TOKENS:]
            del floats[max(0, 2 * MAX_TOKENS - len(ints)):]

        prefixes = self.spec.comment_prefixes
        comments = [(start, Comment(strip_comment(
            source[start:min(n.end_byte, start + MAX_TOKEN_CHARS)].decode("utf-8", "replace"),
            prefixes), n.start_point[0] + 1))
            for n in get("comment", ()) for start in (n.start_byte,)]
        res.comments, res.truncated = _sorted_capped(comments, first, res.truncated)

        callee = self.spec.callee
        calls: list[tuple[int, Call]] = []
        for n in get("call", ()):
            if callee is not None:
                name = callee(n)
            elif n.end_byte - n.start_byte <= MAX_CALLEE_CHARS:
                name = source[n.start_byte:n.end_byte].decode("utf-8", "replace")
            else:
                name = None
            if name and ("(" in name or "[" in name):
                # A chained or computed callee: keep what is called, not the whole chain.
                name = "…" + name[max(name.rfind(")"), name.rfind("]")) + 1:]
            if name:
                calls.append((n.start_byte, Call(" ".join(name.split())[:MAX_CALLEE_CHARS],
                                                 n.start_point[0] + 1)))
        res.calls, res.truncated = _sorted_capped(calls, first, res.truncated)
        return res


_DECLARATION_ORDER = ("def.function", "def.class", "def.parameter", "def.property",
                      "def.variable", "def.label")


def _start(t) -> int:
    return t.start


def _sorted_capped(pairs: list, key, truncated: bool) -> tuple[list, bool]:
    """The tokens of (offset, token) PAIRS in source order, at most MAX_TOKENS of them."""
    pairs.sort(key=key)
    if len(pairs) > MAX_TOKENS:
        del pairs[MAX_TOKENS:]
        truncated = True
    return [t for _, t in pairs], truncated
