"""The two kinds of model every public document is made of, and the vocabulary they share.

`Strict` parts reject unknown keys: a typo or an unannounced field is a schema change and must
come with a new schema version. `Open` parts (dynamic sections, network captures, registry
metadata) accept extra keys, because the sandbox and network simulator grow new observations in
parallel and a stored report must not stop loading when they do; their known fields are typed.
"""

from __future__ import annotations

import base64
from typing import Literal

from pydantic import BaseModel, ConfigDict

Severity = Literal["low", "medium", "high", "critical"]
Label = Literal["benign", "suspicious", "malicious"]
Source = Literal["static", "dynamic", "metadata"]
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
LABELS: tuple[str, ...] = ("benign", "suspicious", "malicious")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


def b64_text(value: object, cap: int) -> str:
    """A document's base64 field (a phase's Stdout, a capture's body_b64…) as text for a person or
    a pattern: at most CAP characters, bytes that are not UTF-8 replaced; "" for what is not
    base64. Only the part that can reach CAP is decoded (8 characters of base64 per character kept)."""
    if not isinstance(value, str) or not value:
        return ""
    try:
        return base64.b64decode(value[: 8 * cap]).decode("utf-8", "replace")[:cap]
    except ValueError:
        return ""
