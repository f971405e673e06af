"""Markdown for pull-request comments and CI job summaries: a verdict line, the flagged releases
with their findings, then what could not be checked."""

from __future__ import annotations

from typing import Sequence

from pkgtrace.formats.interface import RenderContext, VerifyRowDoc, sort_rows, summarize

_ICON = {"malicious": "🛑", "suspicious": "⚠️", "benign": "✅", "unknown": "❔", "not-looked-up": "➖"}


def _cell(text: object) -> str:
    """Table-cell safe: no pipes or newlines breaking the row, no stray HTML."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
            .replace("<", "&lt;").replace(">", "&gt;"))


class MarkdownFormat:
    name = "markdown"
    media_type = "text/markdown"

    def render(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> str:
        s = summarize(rows)
        rows = sort_rows(rows)
        out = ["## pkgtrace verify", ""]
        if s["malicious"]:
            verdict = f"🛑 **{s['malicious']} malicious** release(s) in the lockfile."
        elif s["suspicious"]:
            verdict = f"⚠️ **{s['suspicious']} suspicious** release(s) in the lockfile."
        else:
            verdict = "✅ No release is labelled suspicious or malicious."
        out += [verdict, "",
                f"{s['total']} dependencies: {s['malicious']} malicious, {s['suspicious']} suspicious, "
                f"{s['benign']} benign, {s['unknown']} unknown, {s['not-looked-up']} not looked up"
                + (f", {s['suppressed']} suppressed" if s["suppressed"] else "") + ".", ""]
        if ctx.lockfiles:
            out += ["Lockfiles: " + ", ".join(f"`{_cell(f)}`" for f in ctx.lockfiles), ""]

        flagged = [r for r in rows if r.flagged]
        if flagged:
            out += ["| | Package | Version | Label | Score | Top findings | Where |",
                    "|---|---|---|---|---|---|---|"]
            for r in flagged:
                d, rec = r.dependency, r.release
                assert rec is not None
                tops = "<br>".join(f"**{_cell(f.severity)}** `{_cell(f.rule)}`: {_cell(f.message)}"
                                   for f in rec.top_findings(3))
                label = rec.label + (" (suppressed)" if r.suppressed is not None else "")
                out.append(f"| {_ICON[r.status]} | `{_cell(d.ecosystem.value)}/{_cell(d.name)}` | "
                           f"`{_cell(d.version)}` | {label} | {rec.score:.2f} | {tops} | `{_cell(d.where)}` |")
            out.append("")

        unknown = [r for r in rows if r.status == "unknown"]
        skipped = [r for r in rows if r.status == "not-looked-up"]
        benign = [r for r in rows if r.status == "benign"]
        for title, group in (("Not in the dataset", unknown), ("Not looked up (git, URL, path, "
                                                                  "workspace or unpinned)", skipped),
                             ("Benign", benign)):
            if not group:
                continue
            out += [f"<details><summary>{title}: {len(group)}</summary>", ""]
            for r in group:
                d = r.dependency
                extra = f" ({d.source}{': ' + d.locator if d.locator else ''})" if d.source != "registry" else ""
                out.append(f"- `{_cell(d.ecosystem.value)}/{_cell(d.name)}@{_cell(d.version or '?')}`{_cell(extra)}")
            out += ["", "</details>", ""]
        return "\n".join(out).rstrip() + "\n"


FORMAT = MarkdownFormat()
