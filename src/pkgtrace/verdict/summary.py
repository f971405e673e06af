"""The verdict as people read it in the CLI: label, score, and each finding with its evidence."""

from __future__ import annotations

from rich.console import Console

from pkgtrace.api.findings import Finding
from pkgtrace.api.verdict import Verdict

_COLOURS = {"benign": "green", "suspicious": "yellow", "malicious": "bold red"}
_SEV = {"critical": "red", "high": "red", "medium": "yellow", "low": "dim"}


def evidence_line(f: Finding) -> str:
    e = f.evidence
    where = f"{e['file']}:{e['line']}" if e.get("file") and e.get("line") else e.get("file") or ""
    bits = [where] if where else []
    for key in ("excerpt", "path", "cmd", "hostname", "sni", "target", "imitates", "description"):
        if e.get(key) and key != "file":
            bits.append(f"{key}={str(e[key])[:120]}")
            break
    return "  ".join(bits)


def print_verdict(console: Console, verdict: Verdict, max_findings: int = 12) -> None:
    console.print(f"  [bold]verdict[/]: [{_COLOURS[verdict.label]}]{verdict.label}[/] (score {verdict.score})")
    first: dict[str, Finding] = {}
    for f in verdict.findings:  # one line per rule; --json has them all
        first.setdefault(f.rule, f)
    for f in list(first.values())[:max_findings]:
        phase = f" [{f.phase}]" if f.phase else ""
        attack = f" {f.attack}" if f.attack else ""
        console.print(f"     [{_SEV[f.severity]}]{f.severity:8}[/] {f.rule}{phase}{attack}: {f.message}",
                      highlight=False)
        ev = evidence_line(f)
        if ev:
            console.print(f"              {ev}", markup=False, highlight=False, soft_wrap=True)
    if len(first) > max_findings:
        console.print(f"     … {len(first) - max_findings} more rules (--json)")
    if verdict.suppressed:
        console.print(f"     suppressed: {len(verdict.suppressed)} finding(s)")
