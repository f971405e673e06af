"""What a language parser gives back: OSSF's token kinds, each with the line it stands on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol


class IdentifierKind(str, Enum):
    """OSSF's token.IdentifierType names, spelled as their JSON spells them."""

    UNKNOWN = "Unknown"
    FUNCTION = "Function"
    VARIABLE = "Variable"
    PARAMETER = "Parameter"
    CLASS = "Class"
    MEMBER = "Member"
    PROPERTY = "Property"
    STATEMENT_LABEL = "StatementLabel"
    OTHER = "Other"


# The kinds OSSF keeps after parsing (parsing/analyze.go): declarations, not references.
DECLARED = frozenset({IdentifierKind.FUNCTION, IdentifierKind.CLASS, IdentifierKind.PARAMETER,
                      IdentifierKind.PROPERTY, IdentifierKind.VARIABLE})


@dataclass(slots=True)
class Identifier:
    name: str
    kind: IdentifierKind
    line: int


@dataclass(slots=True)
class StringLiteral:
    value: str
    raw: str
    line: int


@dataclass(slots=True)
class IntLiteral:
    value: int
    raw: str
    line: int
    start: int = 0  # byte offsets, so that runs of char codes (chr(104)+chr(105)…) can be found
    end: int = 0


@dataclass(slots=True)
class FloatLiteral:
    value: float
    raw: str
    line: int


@dataclass(slots=True)
class Comment:
    text: str
    line: int


@dataclass(slots=True)
class Call:
    """A call's callee as written (`base64.b64decode`, `exec`, `child_process.exec`)."""

    name: str
    line: int


@dataclass
class ParseResult:
    language: str
    identifiers: list[Identifier] = field(default_factory=list)
    strings: list[StringLiteral] = field(default_factory=list)
    ints: list[IntLiteral] = field(default_factory=list)
    floats: list[FloatLiteral] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    syntax_errors: bool = False   # the tree had ERROR nodes; tokens are still what parsed
    truncated: bool = False       # a per-file token cap was reached
    parsed: bool = True           # False: tokens come from the raw-text fallback


class Parser(Protocol):
    language: str

    def parse(self, source: bytes) -> ParseResult:
        """Tokens of SOURCE; never raises for bad input (syntax errors are in the result)."""
