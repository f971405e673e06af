"""A table for people (rich): worst releases first, with their label, score and top findings."""

from __future__ import annotations

import io
from typing import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pkgtrace.formats.interface import RenderContext, VerifyRow, sort_rows, summarize

_STYLE = {"malicious": "bold red", "suspicious": "yellow", "benign": "green", "unknown": "cyan",
          "not-looked-up": "dim"}


class TableFormat:
    name = "table"
    media_type = "text/plain"

    def render(self, rows: Sequence[VerifyRow], ctx: RenderContext) -> str:
        buf = io.StringIO()
        console = Console(file=buf, force_terminal=ctx.color, no_color=not ctx.color,
                          width=ctx.width or 160, highlight=False)
        table = Table(show_lines=False, title_justify="left")
        for col in ("label", "ecosystem", "package", "version", "score", "top findings", "where"):
            table.add_column(col, no_wrap=col in ("label", "package", "version", "score"),
                             overflow="fold", ratio=2 if col == "top findings" else None)
        for r in sort_rows(rows):
            d = r.dependency
            label = r.status + (" (suppressed)" if r.suppressed is not None else "")
            verdict = r.release is not None and r.release.label != "unknown"
            score = f"{r.release.score:.2f}" if verdict else ""
            if r.release is not None and r.release.findings:
                top = "\n".join(f"[{f.severity}] {f.rule}: {f.message}" for f in r.release.top_findings(3))
                more = len(r.release.findings) - 3
                if more > 0:
                    top += f"\n(+{more} more)"
            elif r.release is not None and not verdict:
                top = "analysed, no verdict yet"
            elif r.status == "not-looked-up":
                if d.source == "registry":  # a registry dependency the file pins to no one version
                    top = "not pinned to one version"
                else:
                    top = f"{d.source} dependency" + (f": {d.locator}" if d.locator else "")
            else:
                top = ""
            name = d.name + (f" (as {d.alias})" if d.alias else "")
            table.add_row(Text(label, style=_STYLE.get(r.status, "")), d.ecosystem.value, name,
                          d.version or "-", score, Text(top), Text(d.where))
        console.print(table)
        s = summarize(rows)
        console.print(Text(
            f"{s['total']} dependencies: {s['malicious']} malicious, {s['suspicious']} suspicious, "
            f"{s['benign']} benign, {s['unknown']} unknown, {s['not-looked-up']} not looked up"
            + (f", {s['suppressed']} suppressed" if s["suppressed"] else "")))
        return buf.getvalue()


FORMAT = TableFormat()
