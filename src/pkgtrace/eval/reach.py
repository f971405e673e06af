"""Payload reach: how far the dynamic pass got with a release, and whether it saw anything.

Per release: each phase's status, the install fallback that ran (and why), the worlds run and
whether they behaved differently, and the dynamic rules that fired. Totals per side and status
show where releases stop (a build that fails, an import that crashes) before they reveal
themselves.
"""

from __future__ import annotations

from collections import Counter


def of_report(report: dict) -> dict | None:
    dyn = report.get("dynamic")
    if not isinstance(dyn, dict) or not dyn.get("phases"):
        return None
    phases = {name: p.get("status") for name, p in dyn["phases"].items()}
    fb = (dyn["phases"].get("install") or {}).get("fallback") or {}
    worlds = {name: {"phases": {n: p.get("status") for n, p in (w.get("phases") or {}).items()},
                     "differs": bool(w.get("differences"))}
              for name, w in (dyn.get("worlds") or {}).items()}
    findings = (report.get("verdict") or {}).get("findings") or []
    rules = sorted({f["rule"] for f in findings if f.get("source") == "dynamic"})
    world_rules = sorted({f["rule"] for f in findings if f.get("source") == "dynamic"
                          and (f.get("evidence") or {}).get("world")})
    return {"phases": phases, "fallback": fb.get("kind"), "fallback_why": (fb.get("why") or "")[:200],
            "worlds": worlds, "dynamic_rules": rules, "world_rules": world_rules}


def totals(results: list[dict]) -> dict:
    """Per side: phase statuses, fallbacks, worlds run and differing, dynamic rules fired."""
    out: dict[str, dict] = {}
    for r in results:
        reach = r.get("reach")
        if not reach:
            continue
        side = out.setdefault(r["side"], {"releases": 0, "phases": {}, "fallback": Counter(),
                                          "worlds": Counter(), "worlds_differing": Counter(),
                                          "dynamic_rule_fired": 0, "fired_only_in_a_world": 0})
        side["releases"] += 1
        for phase, status in reach["phases"].items():
            side["phases"].setdefault(phase, Counter())[status or "none"] += 1
        side["fallback"][reach.get("fallback") or "none"] += 1
        for w, info in reach["worlds"].items():
            side["worlds"][w] += 1
            side["worlds_differing"][w] += bool(info.get("differs"))
        side["dynamic_rule_fired"] += bool(reach["dynamic_rules"])
        side["fired_only_in_a_world"] += bool(reach["world_rules"]) and \
            set(reach["world_rules"]) >= set(reach["dynamic_rules"])
    return {s: {**v, "phases": {p: dict(c) for p, c in v["phases"].items()},
                "fallback": dict(v["fallback"]), "worlds": dict(v["worlds"]),
                "worlds_differing": dict(v["worlds_differing"])} for s, v in out.items()}
