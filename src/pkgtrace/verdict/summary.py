"""The verdict as people read it in the CLI: label, score, and each finding with its evidence."""

from __future__ import annotations

from rich.console import Console

_COLOURS = {"benign": "green", "suspicious": "yellow", "malicious": "bold red"}
_SEV = {"critical": "red", "high": "red", "medium": "yellow", "low": "dim"}


def evidence_line(f: dict) -> str:
    e = f.get("evidence") or {}
    where = f"{e['file']}:{e['line']}" if e.get("file") and e.get("line") else e.get("file") or ""
    bits = [where] if where else []
    for key in ("excerpt", "path", "cmd", "hostname", "sni", "target", "imitates", "description"):
        if e.get(key) and key != "file":
            bits.append(f"{key}={str(e[key])[:120]}")
            break
    return "  ".join(bits)


def print_verdict(console: Console, verdict: dict, max_findings: int = 12) -> None:
    label = verdict.get("label", "?")
    console.print(f"  [bold]verdict[/]: [{_COLOURS.get(label, 'bold')}]{label}[/] "
                  f"(score {verdict.get('score')})")
    shown: set[str] = set()
    n = 0
    for f in verdict.get("findings", []):
        if f["rule"] in shown:   # one line per rule; --json has them all
            continue
        shown.add(f["rule"])
        n += 1
        if n > max_findings:
            console.print(f"     … {len(set(x['rule'] for x in verdict['findings'])) - max_findings} more rules (--json)")
            break
        phase = f" [{f['phase']}]" if f.get("phase") else ""
        attack = f" {f['attack']}" if f.get("attack") else ""
        console.print(f"     [{_SEV.get(f['severity'], '')}]{f['severity']:8}[/] {f['rule']}{phase}{attack}: "
                      f"{f['message']}", highlight=False)
        ev = evidence_line(f)
        if ev:
            console.print(f"              {ev}", markup=False, highlight=False, soft_wrap=True)
    if verdict.get("suppressed"):
        console.print(f"     suppressed: {len(verdict['suppressed'])} finding(s)")
