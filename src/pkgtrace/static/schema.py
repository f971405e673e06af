"""OSSF package-analysis' static result document (pkg/api/staticanalysis/record.go), field for field.

Anything that loads OSSF's static records loads these: OSSF's BigQuery loader refuses unknown
fields, so the document holds nothing else. Go's `omitempty` fields are left out when empty.
The token lists of the other languages pkgtrace parses (`typescript`, `python`, `ruby`, `php`,
`rust`, `shell`, same shape as `js`) and the mark of a file whose lists were capped are in
report.json's `static.tokens` (LanguageTokens below).
"""

from __future__ import annotations

from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = "1.0"  # OSSF's staticanalysis.SchemaVersion

# pkgtrace language -> the per-file field that carries its tokens
LANGUAGE_FIELDS = {"javascript": "js", "typescript": "typescript", "tsx": "typescript",
                   "python": "python", "ruby": "ruby", "php": "php", "rust": "rust",
                   "shell": "shell"}
OSSF_LANGUAGE_FIELD = "js"  # the one language OSSF's record has a field for


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ValueCount(_Model):
    value: int
    count: int


class IdentifierToken(_Model):
    name: str
    type: str      # token.IdentifierType: Function, Variable, Parameter, Class, Member, …
    entropy: float


class StringToken(_Model):
    value: str
    raw: str
    entropy: float


class IntToken(_Model):
    value: int
    raw: str


class FloatToken(_Model):
    value: float
    raw: str


class CommentToken(_Model):
    text: str


class LanguageData(_Model):
    identifiers: list[IdentifierToken]
    string_literals: list[StringToken]
    int_literals: list[IntToken]
    float_literals: list[FloatToken]
    comments: list[CommentToken]


class SuspiciousIdentifier(_Model):
    name: str
    rule: str


class EscapedString(_Model):
    value: str
    raw: str
    levenshtein_dist: int


class FileResult(_Model):
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


class LanguageTokens(_Model):
    """One entry of report.json's static.tokens: what static.json cannot carry for a file."""

    filename: str
    language: str                      # a LANGUAGE_FIELDS value
    tokens: LanguageData | None = None  # absent: the file's tokens are in static.json's `js`
    syntax_errors: bool | None = None  # JavaScript that did not parse: OSSF gives no `js`
    truncated: bool | None = None      # token lists capped to keep the documents bounded


class Results(_Model):
    files: list[FileResult] = Field(default_factory=list)


class StaticRecord(_Model):
    schema_version: str = SCHEMA_VERSION
    ecosystem: str
    name: str
    version: str
    created: str   # RFC 3339, UTC, as Go's time.Time marshals
    results: Results


def value_counts(counts: dict[int, int]) -> list[dict] | None:
    """OSSF's valuecounts JSON: [{"value": v, "count": c}, …] sorted by value; None when empty."""
    if not counts:
        return None
    return [{"value": v, "count": c} for v, c in sorted(counts.items())]


def created_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def validate(doc: dict) -> StaticRecord:
    """Check a document against the model (tests and loaders); raises pydantic.ValidationError."""
    return StaticRecord.model_validate(doc)
