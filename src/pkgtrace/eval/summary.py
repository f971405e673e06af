"""The evaluation's numbers: detection rate, false-positive rate, rule hits per side, slowest."""

from __future__ import annotations

import re
from collections import Counter

from pkgtrace.eval.metadata import sources as metadata_sources
from pkgtrace.eval.reach import totals as reach_totals


def summarize(results: list[dict], slowest: int = 10) -> dict:
    mal = [r for r in results if r["side"] == "malicious"]
    ben = [r for r in results if r["side"] == "benign"]
    mal_ok = [r for r in mal if not r.get("error")]
    ben_ok = [r for r in ben if not r.get("error")]
    detected = [r for r in mal_ok if r.get("label") == "malicious"]
    flagged = [r for r in ben_ok if r.get("label") != "benign"]
    hits: dict[str, dict[str, int]] = {}
    for side, rs in (("malicious", mal_ok), ("benign", ben_ok)):
        for r in rs:
            for rule in r.get("rules") or []:
                hits.setdefault(rule, {"malicious": 0, "benign": 0})[side] += 1
    by_eco: dict[str, dict] = {}
    for r in mal_ok + ben_ok:
        e = by_eco.setdefault(f"{r['side']}/{r['ecosystem']}", {"total": 0, "labels": Counter()})
        e["total"] += 1
        e["labels"][r.get("label") or "error"] += 1
    return {
        "malicious": {"total": len(mal), "evaluated": len(mal_ok), "errors": len(mal) - len(mal_ok),
                      "detected": len(detected),
                      "detection_rate": _rate(len(detected), len(mal_ok)),
                      "labels": dict(Counter(r.get("label") for r in mal_ok))},
        "benign": {"total": len(ben), "evaluated": len(ben_ok), "errors": len(ben) - len(ben_ok),
                   "flagged": len(flagged),
                   "false_positive_rate": _rate(len(flagged), len(ben_ok)),
                   "labels": dict(Counter(r.get("label") for r in ben_ok))},
        "labels_detected": {"malicious": len(detected),
                            "malicious_or_suspicious": sum(1 for r in mal_ok if r.get("label") in ("malicious", "suspicious")),
                            "malicious_or_suspicious_rate": _rate(
                                sum(1 for r in mal_ok if r.get("label") in ("malicious", "suspicious")), len(mal_ok))},
        "payload_reach": reach_totals(results),
        # what each side was judged with (eval/metadata.py): registry, artifact (sample) or none
        "metadata_sources": metadata_sources(results),
        "by_ecosystem": {k: {"total": v["total"], "labels": dict(v["labels"])} for k, v in by_eco.items()},
        "rule_hits": dict(sorted(hits.items(), key=lambda kv: (-kv[1]["malicious"], kv[0]))),
        "slowest": [{"release": f"{r['ecosystem']}/{r['name']}@{r.get('version')}", "side": r["side"],
                     "seconds": r.get("seconds")}
                    for r in sorted(results, key=lambda r: -(r.get("seconds") or 0))[:slowest]],
        "missed": [_brief(r) for r in mal_ok if r.get("label") != "malicious"],
        "false_positives": [_brief(r) for r in flagged],
        # analyses that produced no verdict (a fetch that failed, a worker that died), by kind
        "errors_by_kind": dict(Counter(_error_kind(r["error"]) for r in results if r.get("error")).most_common()),
        "errors": [{"release": f"{r['ecosystem']}/{r['name']}", "side": r["side"],
                    "error": r.get("error")} for r in results if r.get("error")],
    }


def _error_kind(error: str) -> str:
    m = re.match(r"(?:worker failed: )?[\w.]+", str(error))
    return m.group(0) if m else "unknown"


def _rate(k: int, n: int) -> float | None:
    return round(100.0 * k / n, 2) if n else None


def _brief(r: dict) -> dict:
    out = {"release": f"{r['ecosystem']}/{r['name']}@{r.get('version')}", "label": r.get("label"),
           "score": r.get("score"), "rules": r.get("rules") or []}
    if r.get("reach"):
        out["reach"] = r["reach"]
    return out
