"""The report's `static` section: what was in the archive and what its code looks like."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pkgtrace.api.base import Open, Strict
from pkgtrace.api.ossf_static import LanguageTokens

STATIC_SECTION_SCHEMA = "pkgtrace-static/1"


class ArchiveInfo(Strict):
    kind: str = Field(description="Release kind: wheel, sdist-gzip, npm-tgz, gem, composer-zip, crate…")
    container: str = Field(description="Container format the extractor recognised (gzip, zip, gem…).")
    filename: str = Field(description="The artifact's file name.")
    size: int = Field(description="The artifact's size in bytes.")
    sha256: str = Field(description="The artifact's SHA-256.")


class ExtractionProblem(Strict):
    kind: str = Field(description="What kind of problem: limit, traversal, corrupt, analysis…")
    path: str | None = Field(None, description="Archive member it concerns, if one.")
    message: str = Field(description="What happened, for a person.")


class ArchiveLink(Strict):
    path: str = Field(description="The link's path in the archive.")
    target: str = Field(description="What it points at (never followed).")
    kind: Literal["symlink", "hardlink"] = Field(description="symlink or hardlink.")


class ExtractionLimits(Strict):
    max_total_bytes: int = Field(description="Most bytes extracted before stopping.")
    max_files: int = Field(description="Most files extracted before stopping.")
    max_ratio: float = Field(description="Largest expansion ratio tolerated (bomb guard).")


class Extraction(Strict):
    status: Literal["ok", "partial", "failed"] = Field(
        description="ok: all extracted; partial: a limit or bad member stopped part; failed: nothing usable.")
    files: int = Field(description="Files extracted (nested archives' members included).")
    total_bytes: int = Field(description="Bytes extracted.")
    errors: list[ExtractionProblem] = Field(description="Problems that lost content (at most 200).")
    notes: list[ExtractionProblem] = Field(description="Problems that lost nothing (at most 200).")
    links: list[ArchiveLink] = Field(description="Links found in the archive (at most 200).")
    limits: ExtractionLimits = Field(description="The limits the extraction ran under.")


class StaticSummary(Strict):
    files: int = Field(description="Files analysed.")
    parsed_files: int = Field(description="Files a language parser read.")
    files_with_syntax_errors: int = Field(description="Parsed files with syntax errors.")
    bytes: int = Field(description="Bytes of all files analysed.")
    languages: dict[str, int] = Field(description="Files per language.")
    signals: dict[str, int] = Field(description="Signals per kind, before truncation.")


class InstallHook(Strict):
    kind: str = Field(description="Hook kind: setup.py, npm script, gem extension, composer script…")
    file: str = Field(description="File that declares or is the hook.")
    details: dict[str, Any] = Field(default_factory=dict, description="Kind-specific facts about the hook.")
    excerpt: str | None = Field(None, description="The hook's text, shortened.")


class Signal(Open):  # signal kinds add their own keys (levenshtein distance, entropy…)
    kind: str = Field(description="Signal kind: url, ip, base64, hex, escaped, suspicious identifier…")
    file: str = Field(description="File it was found in.")
    line: int | None = Field(None, description="Line it was found on.")
    value: str = Field(description="The value (at most 400 characters).")
    via: str | None = Field(None, description="How it was found when not as written: base64 (decoded), "
                                               "char_codes, text (outside quotes).")
    rule: str | None = Field(None, description="suspicious_identifier: the naming rule the identifier matched.")


class FileTokens(Strict):
    identifiers: int = Field(description="Declared identifiers.")
    strings: int = Field(description="String literals.")
    ints: int = Field(description="Integer literals.")
    floats: int = Field(description="Float literals.")
    comments: int = Field(description="Comments.")
    truncated: bool = Field(description="The parser stopped at its token limit.")


class StaticFile(Strict):
    path: str = Field(description="Path inside the archive.")
    type: str | None = Field(None, description="libmagic's description.")
    size: int = Field(description="Size in bytes.")
    sha256: str = Field(description="SHA-256 of the content.")
    text: bool = Field(description="Looks like text.")
    lines: int = Field(description="Number of lines.")
    max_line_length: int = Field(description="Longest line, in characters.")
    language: str | None = Field(None, description="Language the parser recognised, if any.")
    parsed: bool = Field(description="A parser read the file.")
    minified: bool = Field(description="Looks minified.")
    syntax_errors: bool | int | None = Field(None, description="The parse had syntax errors.")
    tokens: FileTokens | None = Field(None, description="Token counts, for parsed files.")
    calls: list[str] | None = Field(None, description="Most frequent calls, for parsed files.")
    max_string_entropy: float | None = Field(None, description="Highest Shannon entropy of a string literal.")
    note: str | None = Field(None, description="Why the file was not (fully) analysed.")


class StaticTimings(Strict):
    extract_s: float = Field(description="Seconds extracting.")
    files_s: float = Field(description="Seconds analysing files.")
    total_s: float = Field(description="Seconds in total.")


class StaticSection(Strict):
    schema_version: Literal["pkgtrace-static/1"] = Field(STATIC_SECTION_SCHEMA,
                                                         description="Version of this part's shape.")
    archive: ArchiveInfo = Field(description="The artifact as a file.")
    extraction: Extraction = Field(description="How extraction went, under which limits.")
    summary: StaticSummary = Field(description="Counts over all files.")
    install_hooks: list[InstallHook] = Field(description="Code that runs at install time.")
    signals: list[Signal] = Field(description="Suspicious values found in code (capped per kind).")
    calls: dict[str, int] = Field(description="Calls across all files, most frequent 300.")
    files: list[StaticFile] = Field(description="Per-file facts (capped; see truncated).")
    truncated: dict[str, int] = Field(description="Entries left out per list because of a cap.")
    tokens: list[LanguageTokens] = Field(default_factory=list,
                                         description="Tokens of languages the OSSF document has no field for.")
    timings: StaticTimings | None = Field(None, description="Where the time went.")
