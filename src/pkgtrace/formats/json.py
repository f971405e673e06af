"""Machine-readable verify results: every row, its dependency, status and release record."""

from __future__ import annotations

import json
from typing import Sequence

from pkgtrace.api.verify import VERIFY_SCHEMA
from pkgtrace.formats.interface import RenderContext, VerifyRow, sort_rows, summarize



class JsonFormat:
    name = "json"
    media_type = "application/json"

    def render(self, rows: Sequence[VerifyRow], ctx: RenderContext) -> str:
        doc = {
            "schema_version": VERIFY_SCHEMA,
            "tool": {"name": "pkgtrace", "version": ctx.tool_version},
            "dataset": ctx.dataset,
            "lockfiles": list(ctx.lockfiles),
            "failed_lockfiles": list(ctx.failed),  # not checked at all: say so, never drop them
            "notes": list(ctx.notes),
            "summary": summarize(rows),
            "results": [r.to_dict() for r in sort_rows(rows)],
        }
        return json.dumps(doc, indent=2, default=str) + "\n"


FORMAT = JsonFormat()
