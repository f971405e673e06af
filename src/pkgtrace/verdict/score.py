"""From findings to a score in 0..100 and a label.

Each rule counts once however often it fired; rules combine like independent pieces of
evidence: score = 100·(1 − Π(1 − wᵢ/100)). Thresholds were set on the development corpus.
"""

from __future__ import annotations

from pkgtrace.verdict.context import DISCOUNT
from pkgtrace.verdict.model import Finding, Rule

WEIGHTS = {"low": 8.0, "medium": 20.0, "high": 45.0, "critical": 80.0}
SUSPICIOUS_AT = 40.0
MALICIOUS_AT = 65.0


def score(findings: list[Finding], rules: dict[str, Rule]) -> float:
    remaining = 1.0
    for rule_id in {f.rule for f in findings}:
        rule = rules.get(rule_id)
        sev = next(f.severity for f in findings if f.rule == rule_id)
        w = rule.weight if rule is not None and rule.weight is not None else WEIGHTS[sev]
        # A rule counts at its strongest finding: one in shipping code outweighs many in tests.
        w *= max(context_factor(f) for f in findings if f.rule == rule_id)
        remaining *= 1.0 - min(max(w, 0.0), 100.0) / 100.0
    return round(100.0 * (1.0 - remaining), 1)


def context_factor(f: Finding) -> float:
    """How much of a finding counts given where its file sits (verdict/context.py); findings
    without a file context (dynamic behaviour, metadata, shipping code) count in full."""
    return DISCOUNT.get((f.evidence or {}).get("context") or "", 1.0)


def label(value: float) -> str:
    if value >= MALICIOUS_AT:
        return "malicious"
    if value >= SUSPICIOUS_AT:
        return "suspicious"
    return "benign"
