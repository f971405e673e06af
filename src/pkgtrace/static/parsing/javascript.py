"""JavaScript (.js, .mjs, .cjs, .jsx): the one language OSSF parses, here with tree-sitter."""

from __future__ import annotations

import tree_sitter_javascript

from pkgtrace.static.parsing.treesitter import LanguageSpec, TreeSitterParser

# Identifier kinds follow OSSF's babel visitor: object keys and destructuring are Variables.
QUERY = r"""
(function_declaration name: (identifier) @def.function)
(generator_function_declaration name: (identifier) @def.function)
(function_expression name: (identifier) @def.function)
(method_definition name: [(property_identifier) (private_property_identifier)] @def.function)
(class_declaration name: (identifier) @def.class)
(class name: (identifier) @def.class)
(formal_parameters (identifier) @def.parameter)
(formal_parameters (assignment_pattern left: (identifier) @def.parameter))
(formal_parameters (rest_pattern (identifier) @def.parameter))
(arrow_function parameter: (identifier) @def.parameter)
(catch_clause parameter: (identifier) @def.parameter)
(variable_declarator name: (identifier) @def.variable)
(object_pattern (shorthand_property_identifier_pattern) @def.variable)
(pair_pattern value: (identifier) @def.variable)
(array_pattern (identifier) @def.variable)
(pair key: (property_identifier) @def.variable)
(field_definition property: [(property_identifier) (private_property_identifier)] @def.property)
(labeled_statement label: (statement_identifier) @def.label)
(call_expression function: [(identifier) (member_expression)] @call)
(new_expression constructor: [(identifier) (member_expression)] @call)
(string) @string
(template_string) @string
(regex) @string
(number) @number
(comment) @comment
"""



def regex_value(node_type: str, raw: str, value: str) -> str:
    """A regex literal is a string literal whose value is its pattern (OSSF's babel visitor logs
    RegExpLiteral's pattern with the raw `/…/flags`), so a URL or address in it is scanned."""
    if node_type == "regex":
        return raw[1:raw.rfind("/")] if raw.count("/") >= 2 else raw
    return value


PARSER = TreeSitterParser(LanguageSpec("javascript", tree_sitter_javascript.language, QUERY,
                                       string_hook=regex_value, comment_prefixes=("//", "#!")))
