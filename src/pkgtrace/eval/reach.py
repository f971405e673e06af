"""Payload reach: how far the dynamic pass got with a release, and whether it saw anything.

Per release: each phase's status, the install fallback that ran (and why), the worlds run and
whether they behaved differently, the dynamic rules that fired, and why each phase that did not
complete stopped. Totals per side and status show where releases stop (a build that fails, an
import that crashes, a timeout, a sandbox that died) before they reveal themselves.
"""

from __future__ import annotations

import re
from collections import Counter

from pkgtrace.api.dynamic import Phase
from pkgtrace.api.report import Report


def of_report(report: Report) -> dict | None:
    dyn = report.dynamic
    if dyn is None or not dyn.phases:
        return None
    phases = {name: p.status for name, p in dyn.phases.items()}
    install = dyn.phases.get("install")
    fb = (install.fallback if install else None) or {}
    worlds = dyn.worlds or {}
    findings = report.verdict.findings if report.verdict else []
    rules = sorted({f.rule for f in findings if f.source == "dynamic"})
    world_rules = sorted({f.rule for f in findings if f.source == "dynamic" and f.evidence.get("world")})
    unfinished = {name: why_unfinished(p) for name, p in dyn.phases.items() if p.status != "completed"}
    for wname, w in worlds.items():
        unfinished.update({f"{name}@{wname}": why_unfinished(p) for name, p in w.phases.items()
                           if p.status != "completed"})
    return {"phases": phases, "fallback": fb.get("kind"), "fallback_why": (fb.get("why") or "")[:200],
            "worlds": {name: {"phases": {n: p.status for n, p in w.phases.items()},
                              "differs": bool(w.differences)}
                       for name, w in worlds.items()},
            "dynamic_rules": rules, "world_rules": world_rules, "unfinished": unfinished}


def why_unfinished(phase: Phase) -> str:
    """A phase that did not complete, as its status and the head of its reason ("error_timeout:
    wall-time limit reached", "error_other: the sandbox stopped during the phase", "error_analysis:
    exit 1"): the kinds to count, without the package's own output that follows."""
    reason = re.split(r"[:;(]", phase.reason, maxsplit=1)[0].strip()
    return f"{phase.status or 'none'}: {reason or 'no reason given'}"[:120]


def totals(results: list[dict]) -> dict:
    """Per side: phase statuses, fallbacks, worlds run and differing, dynamic rules fired."""
    out: dict[str, dict] = {}
    for r in results:
        reach = r.get("reach")
        if not reach:
            continue
        side = out.setdefault(r["side"], {"releases": 0, "phases": {}, "fallback": Counter(),
                                          "worlds": Counter(), "worlds_differing": Counter(),
                                          "dynamic_rule_fired": 0, "fired_only_in_a_world": 0,
                                          "unfinished": Counter()})
        side["releases"] += 1
        for phase, status in reach["phases"].items():
            side["phases"].setdefault(phase, Counter())[status or "none"] += 1
        side["fallback"][reach.get("fallback") or "none"] += 1
        for w, info in reach["worlds"].items():
            side["worlds"][w] += 1
            side["worlds_differing"][w] += bool(info.get("differs"))
        for phase, why in (reach.get("unfinished") or {}).items():  # results stored before it: none
            side["unfinished"][f"{phase} {why}"] += 1
        side["dynamic_rule_fired"] += bool(reach["dynamic_rules"])
        side["fired_only_in_a_world"] += bool(reach["world_rules"]) and \
            set(reach["world_rules"]) >= set(reach["dynamic_rules"])
    return {s: {**v, "phases": {p: dict(c) for p, c in v["phases"].items()},
                "fallback": dict(v["fallback"]), "worlds": dict(v["worlds"]),
                "worlds_differing": dict(v["worlds_differing"]),
                "unfinished": dict(v["unfinished"].most_common())} for s, v in out.items()}
