"""Output formats for verify results: table, json, sarif, markdown, osv."""

from __future__ import annotations

from pkgtrace.formats.interface import (LABEL_RANK, SEVERITIES, Finding, Formatter, ReleaseRecord,
                                        RenderContext, VerifyRowDoc, fails, sort_rows, summarize)

FORMAT_NAMES = ("table", "json", "sarif", "markdown", "osv")


def get_format(name: str) -> Formatter:
    """The formatter called NAME (one of FORMAT_NAMES); ValueError otherwise."""
    key = name.strip().lower()
    if key == "table":
        from pkgtrace.formats.table import FORMAT
    elif key == "json":
        from pkgtrace.formats.json import FORMAT  # type: ignore[assignment]
    elif key == "sarif":
        from pkgtrace.formats.sarif import FORMAT  # type: ignore[assignment]
    elif key in ("markdown", "md"):
        from pkgtrace.formats.markdown import FORMAT  # type: ignore[assignment]
    elif key == "osv":
        from pkgtrace.formats.osv import FORMAT  # type: ignore[assignment]
    else:
        raise ValueError(f"unknown format {name!r}; expected one of {', '.join(FORMAT_NAMES)}")
    return FORMAT


__all__ = ["FORMAT_NAMES", "LABEL_RANK", "SEVERITIES", "Finding", "Formatter", "ReleaseRecord",
           "RenderContext", "VerifyRowDoc", "fails", "get_format", "sort_rows", "summarize"]
