"""PHP (.php, .phtml, .inc): single- and double-quoted strings, heredoc and nowdoc."""

from __future__ import annotations

import tree_sitter_php

from pkgtrace.static.parsing.treesitter import LanguageSpec, TreeSitterParser

QUERY = r"""
(function_definition name: (name) @def.function)
(method_declaration name: (name) @def.function)
(class_declaration name: (name) @def.class)
(interface_declaration name: (name) @def.class)
(trait_declaration name: (name) @def.class)
(simple_parameter name: (variable_name (name) @def.parameter))
(variadic_parameter name: (variable_name (name) @def.parameter))
(property_element name: (variable_name (name) @def.property))
(const_element (name) @def.variable)
(assignment_expression left: (variable_name (name) @def.variable))
(assignment_expression left: (member_access_expression name: (name) @def.property))
(function_call_expression function: [(name) (qualified_name)] @call)
(member_call_expression name: (name) @call)
(scoped_call_expression name: (name) @call)
(string) @string
(encapsed_string) @string
(heredoc) @string
(nowdoc) @string
(shell_command_expression) @string
(integer) @int
(float) @float
(comment) @comment
"""

PARSER = TreeSitterParser(LanguageSpec("php", tree_sitter_php.language_php, QUERY,
                                       comment_prefixes=("//", "#")))
