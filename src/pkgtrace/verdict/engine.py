"""judge(): run every rule over the evidence of one release, score it, label it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from pkgtrace.api.verdict import VERDICT_SCHEMA
from pkgtrace.verdict import metadata as metadata_mod
from pkgtrace.verdict import score as score_mod
from pkgtrace.verdict import suppressions as supp_mod
from pkgtrace.verdict.evidence import Evidence, gather
from pkgtrace.verdict.match import run_code_rule, run_fact_rule
from pkgtrace.verdict.model import SEVERITIES, Finding, Rule
from pkgtrace.verdict.rules import load_rules

MAX_FINDINGS = 200


def run_rules(ev: Evidence, rules: list[Rule]) -> list[Finding]:
    findings: list[Finding] = []
    fired: set[str] = set()
    for rule in rules:
        if not rule.applies_to(ev.ecosystem) or rule.match.all_of:
            continue
        m = rule.match
        if m.code:
            got = run_code_rule(rule, ev)
        elif m.fact:
            got = run_fact_rule(rule, ev)
        else:
            check = metadata_mod.CHECKS.get(m.check or "")
            # a check may grade its own finding (a close typosquat is high, a loose one medium)
            got = [Finding(rule=rule.id, severity=evidence.pop("severity", rule.severity), message=msg,
                           source="metadata", evidence=evidence, attack=rule.attack,
                           hash=ev.artifact_sha256)
                   for msg, evidence in (check(ev) if check else [])]
        if got:
            fired.add(rule.id)
            findings.extend(got)
    for rule in rules:  # combinations, after their parts
        if rule.match.all_of and rule.applies_to(ev.ecosystem) and set(rule.match.all_of) <= fired:
            parts = [next(f for f in findings if f.rule == r) for r in rule.match.all_of]
            findings.append(Finding(rule=rule.id, severity=rule.severity,
                                    message=rule.message or rule.description, source=parts[0].source,
                                    evidence={"combines": rule.match.all_of, "first": parts[0].evidence},
                                    phase=parts[0].phase, attack=rule.attack,
                                    hash=parts[0].hash))
            fired.add(rule.id)
    return findings


def judge(documents: dict, *, artifact: Path | None = None, metadata: dict | None = None,
          suppressions: Iterable[supp_mod.Suppression] | None = None,
          rules: list[Rule] | None = None) -> dict:
    """The verdict for one release from its documents ({"report", "static", "dynamic"}), the
    artifact file (for rules that read code), registry metadata (optional) and suppressions
    (default: the file named by $PKGTRACE_SUPPRESSIONS, if any)."""
    rules = load_rules() if rules is None else rules
    if suppressions is None:
        env = os.environ.get("PKGTRACE_SUPPRESSIONS")
        suppressions = supp_mod.load(Path(env)) if env else []
    ev = gather(documents, artifact, metadata)
    findings = run_rules(ev, rules)
    kept, dropped = supp_mod.hide(findings, suppressions, ev.ecosystem, ev.name, ev.version)
    by_id = {r.id: r for r in rules}
    value = score_mod.score(kept, by_id)
    kept.sort(key=lambda f: (-SEVERITIES.index(f.severity), f.rule))
    return {
        "schema_version": VERDICT_SCHEMA,
        "label": score_mod.label(value),
        "score": value,
        "evidence": {"static": ev.has_static, "dynamic": ev.has_dynamic,
                     "metadata": metadata is not None, "code_files": len(ev.code)},
        "findings": [f.as_dict() for f in kept[:MAX_FINDINGS]],
        "suppressed": [{**f.as_dict(), "suppression": s.as_dict()} for f, s in dropped],
        "rules_fired": sorted({f.rule for f in kept}),
        "metadata": metadata,
    }
