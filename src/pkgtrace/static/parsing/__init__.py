"""Language detection and the parser for each language the five ecosystems ship."""

from __future__ import annotations

import importlib
import re
from pathlib import PurePosixPath

from pkgtrace.static.parsing.interface import (DECLARED, Call, Comment, FloatLiteral, Identifier,
                                               IdentifierKind, IntLiteral, ParseResult, Parser,
                                               StringLiteral)
from pkgtrace.static.parsing.rawtext import parse_raw

LANGUAGES = ("python", "javascript", "typescript", "tsx", "ruby", "php", "rust", "shell")

_BY_EXT = {
    ".py": "python", ".pyw": "python", ".pyi": "python", ".pth": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
    ".rb": "ruby", ".gemspec": "ruby", ".rake": "ruby", ".ru": "ruby",
    ".php": "php", ".phtml": "php", ".inc": "php", ".php5": "php", ".php7": "php",
    ".rs": "rust",
    ".sh": "shell", ".bash": "shell", ".zsh": "shell", ".ksh": "shell", ".command": "shell",
}
_BY_NAME = {"Rakefile": "ruby", "Gemfile": "ruby", "Guardfile": "ruby", "Vagrantfile": "ruby",
            "configure": "shell"}
_SHEBANG = re.compile(rb"^#![^\n]*?\b(python[0-9.]*|node|nodejs|deno|bun|ruby|php|bash|sh|dash|"
                      rb"zsh|ksh)\b")
_SHEBANG_LANG = {b"node": "javascript", b"nodejs": "javascript", b"deno": "typescript",
                 b"bun": "javascript", b"ruby": "ruby", b"php": "php"}

_MODULES = {"python": ("python", "PARSER"), "javascript": ("javascript", "PARSER"),
            "typescript": ("typescript", "PARSER"), "tsx": ("typescript", "TSX_PARSER"),
            "ruby": ("ruby", "PARSER"), "php": ("php", "PARSER"), "rust": ("rust", "PARSER"),
            "shell": ("shell", "PARSER")}


def detect_language(path: str, head: bytes) -> str | None:
    """The language of PATH by extension, known file name, or shebang line; None if not code."""
    p = PurePosixPath(path)
    lang = _BY_EXT.get(p.suffix.lower()) or _BY_NAME.get(p.name)
    if lang:
        return lang
    if head.startswith(b"#!"):
        m = _SHEBANG.match(head[:200])
        if m:
            word = m.group(1)
            if word.startswith(b"python"):
                return "python"
            return _SHEBANG_LANG.get(word, "shell")
    if head.lstrip()[:5] == b"<?php":
        return "php"
    return None


def parser_for(language: str) -> Parser:
    module, attr = _MODULES[language]
    return getattr(importlib.import_module(f"pkgtrace.static.parsing.{module}"), attr)


__all__ = ["DECLARED", "LANGUAGES", "Call", "Comment", "FloatLiteral", "Identifier",
           "IdentifierKind", "IntLiteral", "ParseResult", "Parser", "StringLiteral",
           "detect_language", "parse_raw", "parser_for"]
