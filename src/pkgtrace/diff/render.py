"""A diff for people: what is new first, then what stopped, then changed files."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

_TITLES = {"hosts": "hosts contacted", "requests": "requests (and what became of them)",
           "sockets": "sockets (address:port)", "commands": "commands run",
           "files": "files touched", "install_hooks": "install hooks", "findings": "findings"}


def print_diff(diff: dict, name: str, out: Console) -> None:
    lab, score = diff.get("label") or {}, diff.get("score") or {}
    out.print(Text(f"{name} {diff['from']} → {diff['to']}: "
                   + ("behaves differently" if diff["changed"] else "no difference found"), style="bold"))
    if lab.get("old") != lab.get("new") or score.get("old") != score.get("new"):
        out.print(Text(f"label {lab.get('old') or '-'} → {lab.get('new') or '-'}, "
                       f"score {score.get('old') if score.get('old') is not None else '-'} → "
                       f"{score.get('new') if score.get('new') is not None else '-'}"))
    cov = diff.get("coverage") or {}
    for kind, sides in cov.items():
        missing = [side for side in ("old", "new") if not sides.get(side)]
        if missing:
            out.print(Text(f"note: no {kind} analysis for the {' and '.join(missing)} release: "
                           f"its {kind} behaviour is not compared", style="yellow"))
    table = Table(show_lines=False)
    for col in ("", "what", "value", "phases", "detail"):
        table.add_column(col, overflow="fold")
    for sign, key, style in (("+", "added", "red"), ("-", "removed", "green")):
        for dim in _TITLES:
            for item in (diff.get(key) or {}).get(dim, []):
                table.add_row(Text(sign, style=style), _TITLES[dim], Text(item["value"]),
                              ",".join(item.get("phases") or []), Text(item.get("detail", "")))
    for hook in diff.get("install_hooks_changed") or []:
        table.add_row(Text("~", style="yellow"), "install hook changed", Text(hook), "", "")
    contents = diff.get("contents") or {}
    for p in contents.get("added", []):
        table.add_row(Text("+", style="red"), "file in the archive", Text(p), "", "")
    for p in contents.get("removed", []):
        table.add_row(Text("-", style="green"), "file in the archive", Text(p), "", "")
    for c in contents.get("changed", []):
        table.add_row(Text("~", style="yellow"), "file changed", Text(c["path"]), "",
                      Text(f"sha256 {c['old_sha256'][:12]}… → {c['new_sha256'][:12]}…"))
    if table.row_count:
        out.print(table)
    if diff.get("truncated"):
        counts = ", ".join(f"{k}: +{v.get('added', 0)}/-{v.get('removed', 0)}"
                           for k, v in (diff.get("summary") or {}).items())
        out.print(Text(f"(long lists were cut; all counts: {counts})", style="yellow"))
