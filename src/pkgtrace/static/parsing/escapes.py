"""Decoding of escape sequences, the union of what Python, JS, Ruby, PHP, Rust and shell accept.

The grammars already tell escape sequences from text; this turns one sequence into its character.
"""

from __future__ import annotations

import re
import unicodedata

_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "a": "\a", "b": "\b", "f": "\f",
           "v": "\v", "e": "\x1b", "s": " ", "\\": "\\", "'": "'", '"': '"', "`": "`",
           "$": "$", "\n": "", "?": "?"}
_SURROGATES = re.compile("[\ud800-\udfff]")


def _chr(cp: int) -> str:
    return chr(cp) if 0 <= cp <= 0x10FFFF else "\ufffd"


def decode_escape(seq: str) -> str:
    """'\\x41' -> 'A', '\\u{1F600}' -> '😀', '\\101' -> 'A', '\\N{BULLET}' -> '•', '\\q' -> 'q'."""
    if len(seq) < 2 or seq[0] != "\\":
        return seq
    c = seq[1]
    body = seq[2:]
    try:
        if c in "xX" and body:
            return _chr(int(body, 16))
        if c == "u" and body.startswith("{"):
            return _chr(int(body.strip("{}"), 16))
        if c in "uU" and body:
            return _chr(int(body, 16))
        if c in "01234567" and all(ch in "01234567" for ch in seq[1:]):
            return _chr(int(seq[1:], 8))
        if c == "N" and body.startswith("{"):
            return unicodedata.lookup(body.strip("{}"))
    except (ValueError, KeyError):
        return seq
    if c == "\r":  # \ CR LF line continuation
        return ""
    return _SIMPLE.get(c, seq[1:] if len(seq) == 2 else seq)


def fix_surrogates(value: str) -> str:
    """Join UTF-16 surrogate pairs from JS-style escapes; lone halves become U+FFFD."""
    if not _SURROGATES.search(value):
        return value
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# Single-quoted Ruby strings (and %q) only know \\ and \'.
_RUBY_SINGLE = re.compile(r"\\([\\'])")


def ruby_single_quoted(text: str) -> str:
    return _RUBY_SINGLE.sub(r"\1", text)
