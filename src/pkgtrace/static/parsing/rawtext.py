"""Tokens from raw text, for files no grammar covers or that are too big to parse.

Quoted runs become string literals and `_0x…` names become identifiers, so that a 5 MB minified
bundle, a .pth file or a JSON document still yields the signals that matter.
"""

from __future__ import annotations

import re

from pkgtrace.static.parsing.escapes import decode_escape, fix_surrogates
from pkgtrace.static.parsing.interface import (Comment, Identifier, IdentifierKind, ParseResult,
                                               StringLiteral)
from pkgtrace.static.parsing.treesitter import MAX_TOKEN_CHARS, MAX_TOKENS

# Alternatives start on different characters and a string never crosses a line, so a failed
# attempt costs at most one line: linear time on any input.
_QUOTED = re.compile(rb""""(?:[^"\\\n]|\\.){1,4096}"|'(?:[^'\\\n]|\\.){1,4096}'""")
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u\{[0-9A-Fa-f]{1,6}\}|u[0-9A-Fa-f]{4}|"
                     r"U[0-9A-Fa-f]{8}|[0-7]{1,3}|.)", re.S)
_HEX_NAME = re.compile(rb"\b_0x[0-9a-fA-F]{3,}\b")


def _lines(data: bytes):
    """Line number of a byte offset, by bisecting the newline positions once."""
    import bisect
    nl = [m.start() for m in re.finditer(rb"\n", data)]
    return lambda off: bisect.bisect_left(nl, off) + 1


def parse_raw(data: bytes, language: str = "text") -> ParseResult:
    res = ParseResult(language=language, parsed=False)
    line_of = _lines(data)
    for m in _QUOTED.finditer(data):
        if len(res.strings) >= MAX_TOKENS:
            res.truncated = True
            break
        raw = m.group().decode("utf-8", "replace")[:MAX_TOKEN_CHARS]
        inner = raw[1:-1]
        value = fix_surrogates(_ESCAPE.sub(lambda e: decode_escape(e.group()), inner)) \
            if "\\" in inner else inner
        res.strings.append(StringLiteral(value, raw, line_of(m.start())))
    seen: set[bytes] = set()
    for m in _HEX_NAME.finditer(data):
        name = m.group()
        if name in seen:
            continue
        seen.add(name)
        if len(res.identifiers) >= MAX_TOKENS:
            res.truncated = True
            break
        res.identifiers.append(Identifier(name.decode(), IdentifierKind.OTHER, line_of(m.start())))
    return res


__all__ = ["parse_raw", "Comment"]
