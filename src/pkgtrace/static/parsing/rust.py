"""Rust (.rs), build.rs above all: it runs at `cargo build` time."""

from __future__ import annotations

import tree_sitter_rust

from pkgtrace.static.parsing.treesitter import LanguageSpec, TreeSitterParser

QUERY = r"""
(function_item name: (identifier) @def.function)
(function_signature_item name: (identifier) @def.function)
(struct_item name: (type_identifier) @def.class)
(enum_item name: (type_identifier) @def.class)
(trait_item name: (type_identifier) @def.class)
(union_item name: (type_identifier) @def.class)
(parameter pattern: (identifier) @def.parameter)
(closure_parameters (identifier) @def.parameter)
(let_declaration pattern: (identifier) @def.variable)
(tuple_pattern (identifier) @def.variable)
(const_item name: (identifier) @def.variable)
(static_item name: (identifier) @def.variable)
(field_declaration name: (field_identifier) @def.property)
(call_expression function: [(identifier) (scoped_identifier) (field_expression)] @call)
(macro_invocation macro: (_) @call)
(string_literal) @string
(raw_string_literal) @string
(integer_literal) @int
(float_literal) @float
(line_comment) @comment
(block_comment) @comment
"""

PARSER = TreeSitterParser(LanguageSpec("rust", tree_sitter_rust.language, QUERY,
                                       comment_prefixes=("///", "//!", "//")))
