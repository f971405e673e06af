"""Load a stored report of any published version into the current model.

Each schema version that changed the shape has an upgrade step here, applied in order; the
CHANGELOG in schemas/ says what each version changed. A report of an unknown (newer) version is
refused, never guessed at.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Callable

from pydantic import ValidationError

from pkgtrace.api.report import REPORT_SCHEMA, Report

# A report is a few MiB at most (the producers cap every list); anything far larger is not one.
MAX_REPORT_BYTES = 256 << 20


class ReportError(ValueError):
    """A stored report that cannot be read: says which file and why."""


def _from_v0(doc: dict[str, Any]) -> dict[str, Any]:
    # Version 0: reports written before `schema_version`, `created` and `timings` existed.
    doc.setdefault("created", 0)
    doc.setdefault("timings", {})
    artifact = doc.get("artifact")
    if isinstance(artifact, dict):
        artifact.setdefault("local", artifact.get("url") is None)
    return {**doc, "schema_version": REPORT_SCHEMA}


# version found in a document -> the step that brings it one version closer to REPORT_SCHEMA
_UPGRADES: dict[str | None, Callable[[dict[str, Any]], dict[str, Any]]] = {None: _from_v0}


def upgrade_report(doc: Any, *, where: str = "report") -> Report:
    """The report DOC (parsed JSON of any published version) as the current model."""
    if not isinstance(doc, dict):
        raise ReportError(f"{where}: a report is a JSON object, not {type(doc).__name__}")
    doc = dict(doc)
    for _ in range(len(_UPGRADES) + 1):
        version = doc.get("schema_version")
        if version == REPORT_SCHEMA:
            break
        step = _UPGRADES.get(version)
        if step is None:
            raise ReportError(f"{where}: unknown report schema version {version!r} "
                              f"(this pkgtrace reads up to {REPORT_SCHEMA})")
        doc = step(doc)
    try:
        return Report.model_validate(doc)
    except ValidationError as e:
        raise ReportError(f"{where}: not a valid {REPORT_SCHEMA} report: "
                          f"{e.error_count()} problem(s); first: {first_problem(e)}") from None


def read_report(path: str | Path, *, max_bytes: int = MAX_REPORT_BYTES) -> Report:
    """The report stored at PATH (report.json of any published version) as the current model."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as e:
        raise ReportError(f"{path}: {e.strerror or e}") from None
    if len(data) > max_bytes:
        raise ReportError(f"{path}: larger than {max_bytes} bytes; not a report")
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ReportError(f"{path}: not JSON: {e}") from None
    return upgrade_report(doc, where=str(path))


def first_problem(e: ValidationError) -> str:
    """Where a validation failed first and why, for a one-line error."""
    err = e.errors()[0]
    loc = ".".join(str(p) for p in err["loc"]) or "(top)"
    return f"{loc}: {err['msg']}"
