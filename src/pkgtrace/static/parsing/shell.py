"""POSIX sh / bash: install scripts, npm hook scripts, files with a shell shebang."""

from __future__ import annotations

import re

import tree_sitter_bash

from pkgtrace.static.parsing.escapes import decode_escape
from pkgtrace.static.parsing.treesitter import LanguageSpec, TreeSitterParser

# Unquoted command arguments count as strings: `curl http://host/x | sh` carries its URL bare.
QUERY = r"""
(function_definition name: (word) @def.function)
(variable_assignment name: (variable_name) @def.variable)
(command name: (command_name) @call)
(command argument: (word) @string)
(string) @string
(raw_string) @string
(ansi_c_string) @string
(number) @int
(comment) @comment
"""

_ANSI_C = re.compile(r"\\(?:x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|.)",
                     re.S)


def _string_hook(node_type: str, raw: str, value: str) -> str:
    if node_type == "raw_string":
        return raw[1:-1]
    if node_type == "ansi_c_string":
        return _ANSI_C.sub(lambda m: decode_escape(m.group()), raw[2:-1])
    if node_type == "word":
        return raw
    return value


PARSER = TreeSitterParser(LanguageSpec("shell", tree_sitter_bash.language, QUERY,
                                       string_hook=_string_hook, comment_prefixes=("#",)))
