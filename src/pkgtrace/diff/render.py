"""A diff for people: what is new first, then what stopped, then changed files."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pkgtrace.api.diff import Diff

_TITLES = {"hosts": "hosts contacted", "requests": "requests (and what became of them)",
           "sockets": "sockets (address:port)", "commands": "commands run",
           "files": "files touched", "install_hooks": "install hooks", "findings": "findings"}


def print_diff(doc: dict, name: str, out: Console) -> None:
    diff = Diff.model_validate(doc)
    lab, score = diff.label, diff.score
    out.print(Text(f"{name} {diff.from_} → {diff.to}: "
                   + ("behaves differently" if diff.changed else "no difference found"), style="bold"))
    if lab.old != lab.new or score.old != score.new:
        out.print(Text(f"label {lab.old or '-'} → {lab.new or '-'}, "
                       f"score {score.old if score.old is not None else '-'} → "
                       f"{score.new if score.new is not None else '-'}"))
    for kind, sides in diff.coverage.items():
        missing = [side for side in ("old", "new") if not getattr(sides, side)]
        if missing:
            out.print(Text(f"note: no {kind} analysis for the {' and '.join(missing)} release: "
                           f"its {kind} behaviour is not compared", style="yellow"))
    table = Table(show_lines=False)
    for col in ("", "what", "value", "phases", "detail"):
        table.add_column(col, overflow="fold")
    for sign, side, style in (("+", diff.added, "red"), ("-", diff.removed, "green")):
        for dim in _TITLES:
            for item in getattr(side, dim):
                table.add_row(Text(sign, style=style), _TITLES[dim], Text(item.value),
                              ",".join(item.phases), Text(str(item.detail or "")))
    for hook in diff.install_hooks_changed:
        table.add_row(Text("~", style="yellow"), "install hook changed", Text(hook), "", "")
    for p in diff.contents.added:
        table.add_row(Text("+", style="red"), "file in the archive", Text(p), "", "")
    for p in diff.contents.removed:
        table.add_row(Text("-", style="green"), "file in the archive", Text(p), "", "")
    for c in diff.contents.changed:
        table.add_row(Text("~", style="yellow"), "file changed", Text(c.path), "",
                      Text(f"sha256 {c.old_sha256[:12]}… → {c.new_sha256[:12]}…"))
    if table.row_count:
        out.print(table)
    if diff.truncated:
        counts = ", ".join(f"{k}: +{v.get('added', 0)}/-{v.get('removed', 0)}" for k, v in diff.summary.items())
        out.print(Text(f"(long lists were cut; all counts: {counts})", style="yellow"))
