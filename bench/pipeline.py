#!/usr/bin/env python3
"""bench/pipeline: real recent releases through the pipeline with 1 and then 2 concurrent sandboxes,
against the same analyses run one after another with `pkgtrace analyze`.

    .venv/bin/python bench/pipeline.py [-n 30] [--mode all] [--json]

Releases: the newest version of each package below (half PyPI, half npm), resolved from the live
registries at the start of the run. A registry change feed would give "whatever was published in
the last minutes", but neither PyPI's XML-RPC changelog nor npm's replicate feed is reachable from
the project's machines (they reach the registries through a package cache), and a fixed list keeps
runs comparable. Each of the three passes analyses the same releases:

  sequential   `pkgtrace analyze ECO NAME@VERSION` once per release, one after another
  pipeline j1  `pkgtrace submit` + `pkgtrace scheduler --once`, then `pkgtrace worker -j 1
               --max-jobs N` (queue, child process per analysis, results store, index load), on a
               fresh embedded state (SQLite queue and index, results folder)
  pipeline j2  the same with `-j 2`

Printed: wall time and analyses per hour of each pass, the 2-vs-1 scaling ratio, and the
pipeline's overhead against the sequential run ((j1 - sequential) / sequential).

    .venv/bin/python bench/pipeline.py --cache [-n 10]

What the shared download cache saves instead: the pipeline with one sandbox, first with an empty
download cache folder (cold, the baseline), then again with the folder that pass filled (warm);
wall time and bytes fetched from the registries (summed from each report's proxy log). Run as root with
the sandbox set up (scripts/setup). The machine's load average is printed too: other work on a
2-core machine moves these numbers a lot.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from pkgtrace.ecosystems import registry_for
from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import models as m
from pkgtrace.results.index import open_index
from pkgtrace.results.stores.local import LocalStore
from pkgtrace.sandbox.netsim.forwarder import upstream_traffic

# Small, frequently released packages: real releases that install in seconds.
PYPI = ["six", "idna", "packaging", "attrs", "certifi", "urllib3", "click", "colorama", "tomli", "pluggy",
        "iniconfig", "pyparsing", "typing-extensions", "wheel", "charset-normalizer"]
NPM = ["ms", "is-number", "left-pad", "debug", "semver", "minimist", "commander", "uuid", "kleur", "picocolors",
       "escape-string-regexp", "has-flag", "supports-color", "ansi-styles", "chalk"]

PKGTRACE = [sys.executable, "-m", "pkgtrace"]


def pick(n: int) -> list[Package]:
    names = [(Ecosystem.PYPI, p) for p in PYPI[: (n + 1) // 2]] + [(Ecosystem.NPM, p) for p in NPM[: n // 2]]
    out = []
    for eco, name in names:
        try:
            out.append(registry_for(eco).resolve(name))
        except Exception as e:  # noqa: BLE001 - a package the cache does not hold: leave it out
            print(f"skip {eco.value}/{name}: {e}", file=sys.stderr)
    return out


def spec(p: Package) -> str:
    return f"{p.name}@{p.version}"


def sequential(pkgs: list[Package], mode: str, work: Path) -> dict:
    per, failed = {}, []
    t0 = time.monotonic()
    for p in pkgs:
        t = time.monotonic()
        r = subprocess.run([*PKGTRACE, "analyze", p.ecosystem.value, spec(p), "--mode", mode,
                            "--results", str(work / "seq-results")], capture_output=True, text=True)
        per[str(p)] = round(time.monotonic() - t, 2)
        if r.returncode != 0:
            failed.append(f"{p}: exit {r.returncode}: {r.stderr.strip()[-300:]}")
        print(f"  sequential {p}: {per[str(p)]}s{' FAILED' if r.returncode else ''}", file=sys.stderr)
    return {"elapsed_s": round(time.monotonic() - t0, 1), "done": len(pkgs) - len(failed), "failed": failed,
            "per_release_s": per}


def pipeline(pkgs: list[Package], mode: str, workers: int, work: Path, tag: str = "", **extra_env: str) -> dict:
    state = work / f"pipeline-j{workers}{tag}"
    env = dict(os.environ, PKGTRACE_STATE=str(state), PKGTRACE_RESULTS=str(state / "results"), **extra_env)
    for k in ("PKGTRACE_QUEUE", "PKGTRACE_INDEX", "PKGTRACE_NOTIFY"):
        env.pop(k, None)
    by_eco: dict[Ecosystem, list[str]] = {}
    for p in pkgs:
        by_eco.setdefault(p.ecosystem, []).append(spec(p))
    for eco, specs in by_eco.items():
        subprocess.run([*PKGTRACE, "submit", eco.value, *specs, "--source", "bench"], env=env, check=True,
                       capture_output=True)
    subprocess.run([*PKGTRACE, "scheduler", "--once"], env=env, check=True, capture_output=True)
    t0 = time.monotonic()
    r = subprocess.run([*PKGTRACE, "worker", "--workers", str(workers), "--mode", mode, "--max-jobs",
                        str(len(pkgs)), "--json"], env=env, capture_output=True, text=True)
    elapsed = time.monotonic() - t0
    if r.returncode != 0:
        raise SystemExit(f"pkgtrace worker -j {workers} exited {r.returncode}: {r.stderr[-2000:]}")
    counts = json.loads(r.stdout)
    idx = open_index(f"sqlite:///{state / 'index.db'}")
    with idx.engine.connect() as c:
        durations = [d for (d,) in c.execute(sa.select(m.analyses.c.duration_s))]
        failed = [f"{r.name}@{r.version}: {r.state}: {(r.last_error or '')[-300:]}" for r in c.execute(
            sa.select(m.releases).where(m.releases.c.state != "done"))]
    idx.close()
    return {"elapsed_s": round(elapsed, 1), "done": counts["done"], "counts": counts, "failed": failed,
            "mean_job_s": round(sum(durations) / len(durations), 2) if durations else None}


def traffic(pkgs: list[Package], results: Path) -> dict:
    """Requests and bytes the pass's analyses fetched from the registries, and from the cache."""
    total: dict[str, int] = {}
    store = LocalStore(results)
    for p in pkgs:
        report = store.get(p, "report") or {}
        log = (report.get("dynamic") or {}).get("registry_proxy") or []
        for k, v in upstream_traffic(log).items():
            total[k] = total.get(k, 0) + v
    return total


def cache_savings(pkgs: list[Package], mode: str, as_json: bool) -> int:
    with tempfile.TemporaryDirectory(prefix="pkgtrace-bench-cache-") as tmp:
        work, cache = Path(tmp), str(Path(tmp) / "download-cache")
        passes = {}
        for side in ("cold", "warm"):  # warm: the folder the cold pass filled
            passes[side] = pipeline(pkgs, mode, 1, work, f"-{side}", PKGTRACE_DOWNLOAD_CACHE=cache)
            passes[side]["traffic"] = traffic(pkgs, work / f"pipeline-j1-{side}" / "results")
            print(f"{side}: {passes[side]['elapsed_s']}s {passes[side]['traffic']}", file=sys.stderr)
    cold, warm = passes["cold"], passes["warm"]
    out = {"releases": [str(p) for p in pkgs], "mode": mode, "cold": cold, "warm": warm,
           "ratio_warm_vs_cold": round(warm["elapsed_s"] / cold["elapsed_s"], 3) if cold["elapsed_s"] else None,
           "loadavg_end": [round(x, 2) for x in os.getloadavg()], "cores": os.cpu_count()}
    if as_json:
        print(json.dumps(out, indent=2))
        return 0
    print(f"releases: {len(pkgs)} ({mode}), pipeline with 1 sandbox")
    for side, v in (("cold (empty download cache)", cold), ("warm (primed by the cold pass)", warm)):
        t = v["traffic"]
        print(f"  {side:32s} {v['elapsed_s']:8.1f} s  {t.get('upstream_bytes', 0):>12,} B from registries "
              f"({t.get('upstream_requests', 0)} requests), {t.get('cache_bytes', 0):>12,} B from the cache "
              f"({t.get('cache_hits', 0)} hits); {v['done']} done, {len(v['failed'])} failed")
    print(f"  warm vs cold: {out['ratio_warm_vs_cold']}x; load average at end {out['loadavg_end']}")
    return 0


def per_hour(done: int, elapsed: float) -> float:
    return round(done / elapsed * 3600, 1) if elapsed else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-n", type=int, default=30, help="releases (half PyPI, half npm); default 30")
    ap.add_argument("--mode", default="all", choices=("static", "dynamic", "all"))
    ap.add_argument("--reverse", action="store_true",
                    help="run the passes in reverse order (j2, j1, sequential): on a shared machine, "
                         "a second run in the other order shows how much the load drifted")
    ap.add_argument("--cache", action="store_true", help="cold against warm download cache instead")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    load0 = os.getloadavg()
    pkgs = pick(args.n)
    print(f"{len(pkgs)} releases: {', '.join(map(str, pkgs))}", file=sys.stderr)
    if args.cache:
        return cache_savings(pkgs, args.mode, args.json)
    with tempfile.TemporaryDirectory(prefix="pkgtrace-bench-pipeline-") as tmp:
        work = Path(tmp)
        passes = {"sequential": lambda: sequential(pkgs, args.mode, work),
                  "j1": lambda: pipeline(pkgs, args.mode, 1, work),
                  "j2": lambda: pipeline(pkgs, args.mode, 2, work)}
        done = {}
        for name in (reversed(list(passes)) if args.reverse else passes):
            done[name] = passes[name]()
            print(f"{name}: {done[name]['elapsed_s']}s", file=sys.stderr)
        seq, j1, j2 = done["sequential"], done["j1"], done["j2"]
    rate = {k: per_hour(v["done"], v["elapsed_s"]) for k, v in (("sequential", seq), ("j1", j1), ("j2", j2))}
    out = {
        "releases": [str(p) for p in pkgs], "mode": args.mode,
        "sequential": seq, "pipeline_j1": j1, "pipeline_j2": j2,
        "analyses_per_hour": rate,
        "scaling_2_vs_1": round(rate["j2"] / rate["j1"], 2) if rate["j1"] else None,
        "pipeline_overhead_vs_sequential": round((j1["elapsed_s"] - seq["elapsed_s"]) / seq["elapsed_s"], 3)
        if seq["elapsed_s"] else None,
        "loadavg_start": [round(x, 2) for x in load0], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        print(f"releases: {len(pkgs)} ({args.mode})")
        for k, v in (("sequential `pkgtrace analyze`", seq), ("pipeline, 1 sandbox", j1), ("pipeline, 2 sandboxes", j2)):
            print(f"  {k:32s} {v['elapsed_s']:8.1f} s  {per_hour(v['done'], v['elapsed_s']):8.1f} analyses/h"
                  f"  ({v['done']} done, {len(v['failed'])} failed)")
        print(f"  scaling 2 vs 1: {out['scaling_2_vs_1']}x")
        print(f"  pipeline overhead vs sequential: {out['pipeline_overhead_vs_sequential'] * 100:+.1f}%")
        print(f"  load average start {out['loadavg_start']} end {out['loadavg_end']} on {out['cores']} cores")
        for v in (seq, j1, j2):
            for f in v["failed"]:
                print(f"  failed: {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
