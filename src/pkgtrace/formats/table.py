"""A table for people (rich): worst releases first, with their label, score and top findings."""

from __future__ import annotations

import io
from typing import Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pkgtrace.formats.interface import RenderContext, VerifyRowDoc, sort_rows, summarize

_STYLE = {"malicious": "bold red", "suspicious": "yellow", "benign": "green", "unknown": "cyan",
          "not-looked-up": "dim"}
# A table is for reading: past this many rows the rest (never a flagged one) is counted, not
# drawn; --format json or markdown lists every row.
MAX_ROWS = 200


class TableFormat:
    name = "table"
    media_type = "text/plain"

    def render(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> str:
        buf = io.StringIO()
        console = Console(file=buf, force_terminal=ctx.color, no_color=not ctx.color,
                          width=ctx.width or 160, highlight=False)
        table = Table(show_lines=False, title_justify="left")
        for col in ("label", "ecosystem", "package", "version", "score", "top findings", "where"):
            table.add_column(col, no_wrap=col in ("label", "package", "version", "score"),
                             overflow="fold", ratio=2 if col == "top findings" else None)
        ordered = sort_rows(rows)
        flagged = [r for r in ordered if r.flagged]
        room = max(MAX_ROWS - len(flagged), 0)
        others = [r for r in ordered if not r.flagged]
        keep = {id(r) for r in others[:room]}
        shown = [r for r in ordered if r.flagged or id(r) in keep] if len(ordered) > MAX_ROWS else ordered
        hidden = others[room:] if len(ordered) > MAX_ROWS else []
        for r in shown:
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
        if hidden:
            h = summarize(hidden)
            parts = ", ".join(f"{h[k]} {k}" for k in ("unknown", "benign", "not-looked-up", "suppressed") if h[k])
            console.print(Text(f"… and {len(hidden)} more not shown ({parts}): --format json or markdown "
                               "lists every dependency"))
        s = summarize(rows)
        console.print(Text(
            f"{s['total']} dependencies: {s['malicious']} malicious, {s['suspicious']} suspicious, "
            f"{s['benign']} benign, {s['unknown']} unknown, {s['not-looked-up']} not looked up"
            + (f", {s['suppressed']} suppressed" if s["suppressed"] else "")))
        return buf.getvalue()


FORMAT = TableFormat()
