"""The two kinds of model every public document is made of, and the vocabulary they share.

`Strict` parts reject unknown keys: a typo or an unannounced field is a schema change and must
come with a new schema version. `Open` parts (dynamic sections, network captures, registry
metadata) accept extra keys, because the sandbox and network simulator grow new observations in
parallel and a stored report must not stop loading when they do; their known fields are typed.
"""

from __future__ import annotations

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
