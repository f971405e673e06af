"""OSSF package-analysis' static result document (pkg/api/staticanalysis/record.go), field for field.

Anything that loads OSSF's static records loads these: OSSF's BigQuery loader refuses unknown
fields, so the document holds nothing else. Go's `omitempty` fields are left out when empty.
The token lists of the other languages pkgtrace parses (`typescript`, `python`, `ruby`, `php`,
`rust`, `shell`, same shape as `js`) and the mark of a file whose lists were capped are in
report.json's `static.tokens` (LanguageTokens below).
"""

from __future__ import annotations

from pydantic import Field

from pkgtrace.api.base import Strict

SCHEMA_VERSION = "1.0"  # OSSF's staticanalysis.SchemaVersion

# pkgtrace language -> the per-file field that carries its tokens
LANGUAGE_FIELDS = {"javascript": "js", "typescript": "typescript", "tsx": "typescript",
                   "python": "python", "ruby": "ruby", "php": "php", "rust": "rust",
                   "shell": "shell"}
OSSF_LANGUAGE_FIELD = "js"  # the one language OSSF's record has a field for


class ValueCount(Strict):
    value: int
    count: int


# The token models and LanguageData are described: report.json's static.tokens holds them too.

class IdentifierToken(Strict):
    name: str = Field(description="The declared identifier.")
    type: str = Field(description="What it names: Function, Variable, Parameter, Class, Member, …")
    entropy: float = Field(description="Shannon entropy of the name.")


class StringToken(Strict):
    value: str = Field(description="The string's value (at most 4096 characters).")
    raw: str = Field(description="The literal as written in the source (at most 4096 characters).")
    entropy: float = Field(description="Shannon entropy of the value.")


class IntToken(Strict):
    value: int = Field(description="The integer's value.")
    raw: str = Field(description="The literal as written in the source.")


class FloatToken(Strict):
    value: float = Field(description="The number's value (never NaN or infinite).")
    raw: str = Field(description="The literal as written in the source.")


class CommentToken(Strict):
    text: str = Field(description="The comment's text (at most 4096 characters).")


class LanguageData(Strict):
    identifiers: list[IdentifierToken] = Field(description="Declared identifiers (capped).")
    string_literals: list[StringToken] = Field(description="String literals (capped).")
    int_literals: list[IntToken] = Field(description="Integer literals (capped).")
    float_literals: list[FloatToken] = Field(description="Float literals (capped).")
    comments: list[CommentToken] = Field(description="Comments (capped).")


class SuspiciousIdentifier(Strict):
    name: str
    rule: str


class EscapedString(Strict):
    value: str
    raw: str
    levenshtein_dist: int


class FileResult(Strict):
    filename: str
    detected_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    line_lengths: list[ValueCount] | None = None
    js: LanguageData | None = None
    identifier_lengths: list[ValueCount] | None = None
    string_lengths: list[ValueCount] | None = None
    base64_strings: list[str] | None = None
    hex_strings: list[str] | None = None
    ip_addresses: list[str] | None = None
    urls: list[str] | None = None
    suspicious_identifiers: list[SuspiciousIdentifier] | None = None
    escaped_strings: list[EscapedString] | None = None


class LanguageTokens(Strict):
    """One entry of report.json's static.tokens: what static.json cannot carry for a file.
    A field not set is left out, not written as null."""

    filename: str = Field(description="Path inside the archive, as static.json's filename.")
    language: str = Field(description="Field its tokens would have in static.json: js, typescript, "
                                      "python, ruby, php, rust or shell.")
    tokens: LanguageData | None = Field(None, description="Its token lists; absent when they are in "
                                                          "static.json's js or the token budget was spent.")
    syntax_errors: bool | None = Field(None, description="JavaScript that did not parse (true): OSSF's "
                                                         "document gives it no js, its tokens are here.")
    truncated: bool | None = Field(None, description="Its token lists were capped to keep the documents "
                                                     "bounded (true).")


class Results(Strict):
    files: list[FileResult] = Field(default_factory=list)


class StaticRecord(Strict):
    schema_version: str = SCHEMA_VERSION
    ecosystem: str
    name: str
    version: str
    created: str   # RFC 3339, UTC, as Go's time.Time marshals
    results: Results
