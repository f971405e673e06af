"""TypeScript (.ts, .mts, .cts) and TSX."""

from __future__ import annotations

import tree_sitter_typescript

from pkgtrace.static.parsing.javascript import regex_value
from pkgtrace.static.parsing.treesitter import LanguageSpec, TreeSitterParser

QUERY = r"""
(function_declaration name: (identifier) @def.function)
(generator_function_declaration name: (identifier) @def.function)
(function_expression name: (identifier) @def.function)
(function_signature name: (identifier) @def.function)
(method_definition name: [(property_identifier) (private_property_identifier)] @def.function)
(method_signature name: [(property_identifier) (private_property_identifier)] @def.function)
(class_declaration name: (type_identifier) @def.class)
(abstract_class_declaration name: (type_identifier) @def.class)
(interface_declaration name: (type_identifier) @def.class)
(enum_declaration name: (identifier) @def.class)
(type_alias_declaration name: (type_identifier) @def.class)
(required_parameter pattern: (identifier) @def.parameter)
(optional_parameter pattern: (identifier) @def.parameter)
(required_parameter pattern: (rest_pattern (identifier) @def.parameter))
(arrow_function parameter: (identifier) @def.parameter)
(catch_clause parameter: (identifier) @def.parameter)
(variable_declarator name: (identifier) @def.variable)
(object_pattern (shorthand_property_identifier_pattern) @def.variable)
(pair_pattern value: (identifier) @def.variable)
(array_pattern (identifier) @def.variable)
(pair key: (property_identifier) @def.variable)
(public_field_definition name: [(property_identifier) (private_property_identifier)] @def.property)
(property_signature name: (property_identifier) @def.property)
(labeled_statement label: (statement_identifier) @def.label)
(call_expression function: [(identifier) (member_expression)] @call)
(new_expression constructor: [(identifier) (member_expression)] @call)
(string) @string
(template_string) @string
(regex) @string
(number) @number
(comment) @comment
"""

PARSER = TreeSitterParser(LanguageSpec("typescript", tree_sitter_typescript.language_typescript,
                                       QUERY, string_hook=regex_value))
TSX_PARSER = TreeSitterParser(LanguageSpec("tsx", tree_sitter_typescript.language_tsx, QUERY,
                                           string_hook=regex_value))
