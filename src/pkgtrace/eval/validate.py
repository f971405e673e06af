"""Cluster-aware validation: rates with 95% intervals per group and label threshold, k-fold over
near-duplicate clusters, per-rule precision, and the clusters that were missed.

Why clusters: a family of 200 copies of one payload counts 200 times in a per-release rate and
once in what the next unseen family will look like. Every rate is reported both ways (releases,
and clusters each weighing one), its interval computed over the clusters (the independent units).
The k-fold part tunes the score threshold on the training clusters and measures it on the held
out ones, so that a threshold that only fits the corpus shows up as a gap between the two.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict

from pkgtrace.eval.cluster import clusters

THRESHOLDS = {"malicious": lambda r: r.get("label") == "malicious",
              "not_benign": lambda r: r.get("label") not in ("benign", None)}


def wilson(k: float, n: int, z: float = 1.96) -> list[float] | None:
    """95% Wilson score interval of k successes in n, in percent."""
    if n <= 0:
        return None
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return [round(100 * max(0.0, c - h), 2), round(100 * min(1.0, c + h), 2)]


def group_of(r: dict) -> str:
    """malicious/pypi, benign/pypi/stream, benign/npm/popular…: what a rate is reported for."""
    if r["side"] == "malicious":
        return f"malicious/{r['ecosystem']}"
    kind = "stream" if "stream" in (r.get("source") or "") else "popular"
    return f"benign/{r['ecosystem']}/{kind}"


def _rate(rs: list[dict], cluster_of: dict[str, str], hit) -> dict:
    k = sum(1 for r in rs if hit(r))
    by_cluster: dict[str, list[bool]] = defaultdict(list)
    for r in rs:
        by_cluster[cluster_of[r["key"]]].append(bool(hit(r)))
    nc = len(by_cluster)
    kc = sum(sum(v) / len(v) for v in by_cluster.values())  # each cluster weighs one
    return {"k": k, "n": len(rs), "rate": round(100 * k / len(rs), 2) if rs else None,
            "clusters": nc, "cluster_rate": round(100 * kc / nc, 2) if nc else None,
            "ci95": wilson(kc, nc)}


def fold_of(cluster: str, k: int, seed: int) -> int:
    return int.from_bytes(hashlib.blake2b(f"{seed}:{cluster}".encode(), digest_size=8).digest(),
                          "big") % k


def _pick_threshold(train: list[dict], max_fp: float) -> float:
    """The lowest score threshold whose benign false-positive rate on TRAIN stays within MAX_FP
    percent (precision first: ties go to the higher threshold)."""
    ben = sorted((r.get("score") or 0.0 for r in train if r["side"] == "benign"), reverse=True)
    allowed = int(len(ben) * max_fp / 100.0)
    # Flag strictly above the (allowed+1)-th highest benign score.
    if len(ben) <= allowed:
        return 0.0
    return math.nextafter(ben[allowed], math.inf)


def kfold(rs: list[dict], cluster_of: dict[str, str], k: int, seed: int, max_fp: float) -> dict:
    folds = []
    oof: list[dict] = []
    for f in range(k):
        test = [r for r in rs if fold_of(cluster_of[r["key"]], k, seed) == f]
        train = [r for r in rs if fold_of(cluster_of[r["key"]], k, seed) != f]
        if not test:
            continue
        t = _pick_threshold(train, max_fp)
        for r in test:
            oof.append({**r, "flagged": (r.get("score") or 0.0) >= t})
        mal = [r for r in test if r["side"] == "malicious"]
        ben = [r for r in test if r["side"] == "benign"]
        folds.append({"fold": f, "threshold": round(t, 2), "malicious": len(mal), "benign": len(ben),
                      "detection": _pct(sum(1 for r in mal if (r.get("score") or 0) >= t), len(mal)),
                      "false_positive": _pct(sum(1 for r in ben if (r.get("score") or 0) >= t), len(ben)),
                      "detection_at_label": _pct(sum(1 for r in mal if r.get("label") == "malicious"), len(mal))})
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in oof:
        groups[group_of(r)].append(r)
    pooled = {g: _rate(v, cluster_of, lambda r: r["flagged"]) for g, v in sorted(groups.items())}
    return {"k": k, "seed": seed, "max_fp_percent": max_fp, "folds": folds,
            "out_of_fold": pooled}


def _pct(k: int, n: int) -> float | None:
    return round(100 * k / n, 2) if n else None


def rule_precision(rs: list[dict], cluster_of: dict[str, str]) -> list[dict]:
    per: dict[str, dict] = {}
    nben = sum(1 for r in rs if r["side"] == "benign")
    for r in rs:
        for rule in r.get("rules") or []:
            e = per.setdefault(rule, {"rule": rule, "malicious": 0, "benign": 0,
                                      "malicious_clusters": set(), "benign_releases": []})
            e[r["side"]] += 1
            if r["side"] == "malicious":
                e["malicious_clusters"].add(cluster_of[r["key"]])
            elif len(e["benign_releases"]) < 5:
                e["benign_releases"].append(f"{r['ecosystem']}/{r['name']}")
    out = []
    for e in per.values():
        hits = e["malicious"] + e["benign"]
        out.append({**e, "malicious_clusters": len(e["malicious_clusters"]),
                    "precision": round(100 * e["malicious"] / hits, 2) if hits else None,
                    "benign_hit_rate": _pct(e["benign"], nben),
                    "benign_hit_ci95": wilson(e["benign"], nben)})
    return sorted(out, key=lambda e: (-e["benign"], -e["malicious"], e["rule"]))


def missed_clusters(rs: list[dict], cluster_of: dict[str, str], limit: int = 100) -> list[dict]:
    by: dict[str, list[dict]] = defaultdict(list)
    for r in rs:
        if r["side"] == "malicious":
            by[cluster_of[r["key"]]].append(r)
    out = []
    for cid, members in by.items():
        missed = [r for r in members if r.get("label") != "malicious"]
        if not missed:
            continue
        ex = missed[0]
        out.append({"cluster": cid, "size": len(members), "missed": len(missed),
                    "examples": [f"{r['ecosystem']}/{r['name']}@{r.get('version')}" for r in missed[:3]],
                    "labels": sorted({str(r.get("label")) for r in missed}),
                    "score": ex.get("score"), "rules": ex.get("rules") or []})
    out.sort(key=lambda c: (-c["missed"], c["cluster"]))
    return out[:limit]


def validate(results: list[dict], *, k: int = 5, seed: int = 0, max_fp: float = 0.5) -> dict:
    rs = [r for r in results if not r.get("error") and r.get("label")]
    cluster_of = clusters({r["key"]: r.get("minhash") for r in rs})
    groups: dict[str, list[dict]] = defaultdict(list)
    for r in rs:
        groups[group_of(r)].append(r)
    rates = {g: {t: _rate(v, cluster_of, hit) for t, hit in THRESHOLDS.items()}
             for g, v in sorted(groups.items())}
    sizes = defaultdict(int)
    for c in cluster_of.values():
        sizes[c] += 1
    return {
        "clusters": {"releases": len(rs), "clusters": len(sizes),
                     "largest": sorted(sizes.values(), reverse=True)[:5],
                     "unsigned": sum(1 for r in rs if not r.get("minhash"))},
        "rates": rates,
        "kfold": kfold(rs, cluster_of, k, seed, max_fp) if k >= 2 else None,
        "rules": rule_precision(rs, cluster_of),
        "missed_clusters": missed_clusters(rs, cluster_of),
    }


def missed_targets(v: dict, min_detection: float | None, max_fp: float | None) -> list[str]:
    """The targets a validation misses: each malicious group's share labelled malicious against
    MIN_DETECTION, each benign group's share labelled other than benign against MAX_FP."""
    out = []
    for g, by in v["rates"].items():
        if g.startswith("malicious/") and min_detection is not None:
            rate = by["malicious"]["rate"]
            if rate is not None and rate < min_detection:
                out.append(f"{g}: {rate}% < {min_detection}%")
        if g.startswith("benign/") and max_fp is not None:
            rate = by["not_benign"]["rate"]
            if rate is not None and rate > max_fp:
                out.append(f"{g}: {rate}% > {max_fp}%")
    return out
