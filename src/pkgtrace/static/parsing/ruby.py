"""Ruby (.rb, .gemspec, .rake, Rakefile, Gemfile, extconf.rb)."""

from __future__ import annotations

import tree_sitter as ts
import tree_sitter_ruby

from pkgtrace.static.parsing.escapes import ruby_single_quoted
from pkgtrace.static.parsing.treesitter import MAX_CALLEE_CHARS, LanguageSpec, TreeSitterParser

QUERY = r"""
(method name: (_) @def.function)
(singleton_method name: (_) @def.function)
(class name: (constant) @def.class)
(class name: (scope_resolution name: (constant) @def.class))
(module name: (constant) @def.class)
(module name: (scope_resolution name: (constant) @def.class))
(method_parameters (identifier) @def.parameter)
(lambda_parameters (identifier) @def.parameter)
(block_parameters (identifier) @def.parameter)
(optional_parameter name: (identifier) @def.parameter)
(splat_parameter name: (identifier) @def.parameter)
(hash_splat_parameter name: (identifier) @def.parameter)
(block_parameter name: (identifier) @def.parameter)
(keyword_parameter name: (identifier) @def.parameter)
(assignment left: [(identifier) (constant) (global_variable)] @def.variable)
(assignment left: [(instance_variable) (class_variable)] @def.property)
(operator_assignment left: (identifier) @def.variable)
(left_assignment_list (identifier) @def.variable)
(call) @call
(string) @string
(heredoc_body) @string
(integer) @int
(float) @float
(comment) @comment
"""

_RECEIVERS = frozenset({"identifier", "constant", "scope_resolution", "instance_variable",
                        "global_variable"})


def _callee(node: ts.Node) -> str | None:
    method = node.child_by_field_name("method")
    if method is None:
        return None
    name = method.text.decode("utf-8", "replace")  # type: ignore[union-attr]
    receiver = node.child_by_field_name("receiver")
    if receiver is not None and receiver.type in _RECEIVERS \
            and receiver.end_byte - receiver.start_byte <= MAX_CALLEE_CHARS:
        name = receiver.text.decode("utf-8", "replace") + "." + name  # type: ignore[union-attr]
    return name


def _string_hook(node_type: str, raw: str, value: str) -> str:
    # The grammar marks no escapes in single-quoted strings; Ruby still honours \\ and \'.
    if raw.startswith(("'", "%q")):
        return ruby_single_quoted(value)
    return value


PARSER = TreeSitterParser(LanguageSpec("ruby", tree_sitter_ruby.language, QUERY,
                                       string_hook=_string_hook, callee=_callee,
                                       comment_prefixes=("#",)))
