"""Machine-readable verify results: every row, its dependency, status and release record."""

from __future__ import annotations

import json
from typing import Sequence

from pkgtrace.api.verify import ToolInfo, VerifyDocument
from pkgtrace.formats.interface import RenderContext, VerifyRowDoc, sort_rows, summarize


class JsonFormat:
    name = "json"
    media_type = "application/json"

    def render(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> str:
        doc = VerifyDocument(tool=ToolInfo(name="pkgtrace", version=ctx.tool_version), dataset=ctx.dataset,
                             lockfiles=list(ctx.lockfiles),
                             failed_lockfiles=list(ctx.failed),  # not checked at all: say so, never drop them
                             notes=list(ctx.notes), summary=summarize(rows), results=sort_rows(rows))
        # json.dumps, not model_dump_json: the document has always escaped non-ASCII text
        return json.dumps(doc.model_dump(mode="json"), indent=2) + "\n"


FORMAT = JsonFormat()
