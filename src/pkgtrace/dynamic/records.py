"""What the guest's root-only steps leave in the records folder, read back on the host: bounded, and
never trusted to be well-formed (a step may have been cut short, or written nothing)."""

from __future__ import annotations

import json
from pathlib import Path


class RecordError(ValueError):
    """Why a record could not be read: 'missing', 'too large' or 'unreadable'."""


def read_record(path: Path, limit: int) -> dict:
    """The JSON object in PATH, at most LIMIT bytes."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise RecordError("missing") from e
    if len(data) > limit:
        raise RecordError("too large")
    try:
        doc = json.loads(data)
    except ValueError:
        raise RecordError("unreadable") from None
    if not isinstance(doc, dict):
        raise RecordError("unreadable")
    return doc
