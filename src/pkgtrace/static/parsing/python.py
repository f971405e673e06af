"""Python (and .pth files, whose `import` lines run at interpreter start)."""

from __future__ import annotations

import tree_sitter_python

from pkgtrace.static.parsing.treesitter import LanguageSpec, TreeSitterParser

QUERY = r"""
(function_definition name: (identifier) @def.function)
(class_definition name: (identifier) @def.class)
(parameters (identifier) @def.parameter)
(lambda_parameters (identifier) @def.parameter)
(default_parameter name: (identifier) @def.parameter)
(typed_parameter (identifier) @def.parameter)
(typed_default_parameter name: (identifier) @def.parameter)
(list_splat_pattern (identifier) @def.parameter)
(dictionary_splat_pattern (identifier) @def.parameter)
(assignment left: (identifier) @def.variable)
(assignment left: (pattern_list (identifier) @def.variable))
(assignment left: (tuple_pattern (identifier) @def.variable))
(assignment left: (attribute attribute: (identifier) @def.property))
(augmented_assignment left: (identifier) @def.variable)
(for_statement left: (identifier) @def.variable)
(for_in_clause left: (identifier) @def.variable)
(named_expression name: (identifier) @def.variable)
(aliased_import alias: (identifier) @def.variable)
(call function: [(identifier) (attribute)] @call)
(string) @string
(integer) @int
(float) @float
(comment) @comment
"""

PARSER = TreeSitterParser(LanguageSpec("python", tree_sitter_python.language, QUERY,
                                       comment_prefixes=("#",)))
