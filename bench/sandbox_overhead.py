#!/usr/bin/env python3
"""bench/sandbox_overhead: pkgtrace's install+import analysis against a bare install+import.

    .venv/bin/python bench/sandbox_overhead.py [--repeat 1] [--json]

For a fixed handful of real PyPI and npm releases (pinned below, downloaded once into the cache):
  pkgtrace   analyze_dynamic(): sandbox start, network simulator, install and import phases under
             strace, trace parsing and the OSSF document, as a worker runs it
  bare       the same artifact installed and imported on the host, the way the guest drivers do
             it: `pip install ARTIFACT` into a throwaway venv (created before the clock starts,
             as the image's venv is), then each top-level module imported in its own process;
             `npm install TARBALL` into an empty project, then `node -e 'require(NAME)'`
Both reach the real registry for dependencies. Printed: per-package seconds and ratio, the
median ratio, and the sandbox start-up time (median over all runs). Target: median ratio < 3x,
start-up < 1 s. Run as root with the sandbox set up (scripts/setup).

    .venv/bin/python bench/sandbox_overhead.py --baseline-trace

Also runs each analysis with the syscalls traced before issue 11 (no stat family, chdir, marks),
interleaved with the current set in the same run, and prints both ratios against bare, the
log sizes, and where the time went (setup step, phases, trace parsing): the cost of tracing
more, measured under the same load rather than against a figure from another day.

    .venv/bin/python bench/sandbox_overhead.py --traced-collector

The same comparison for the written-files collector: run untraced (Sandbox.untraced, once only
init is left) against traced as before, interleaved.

    .venv/bin/python bench/sandbox_overhead.py --worlds

The cost of payload reach instead: for the PyPI releases above, a whole analysis (install,
import, execute) with no other world against one in every world (CI, clock ahead), and for a
sdist whose build fails, the seconds each install fallback took.

    .venv/bin/python bench/sandbox_overhead.py --cache

What the shared download cache saves: each release above analysed (install + import) with an
empty cache folder (cold, the baseline), then again with the folder that run filled (warm);
seconds and bytes fetched from the registries on each side, from the proxy's own log.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pkgtrace.config import cache_dir
from pkgtrace.dynamic.run import analyze_dynamic
from pkgtrace.ecosystems import registry_for
from pkgtrace.model import Artifact, Ecosystem
from pkgtrace.sandbox.netsim.forwarder import upstream_traffic
from pkgtrace.sandbox import runsc

# What runsc traced before issue 11 added probes (stat family), chdir and marks.
PRE_ISSUE_11_SYSCALLS = (
    "open", "openat", "creat", "unlink", "unlinkat", "rmdir", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat", "mkdir", "mkdirat",
    "truncate", "execve", "execveat", "clone", "clone3", "fork", "vfork", "exit_group",
    "socket", "connect", "bind", "listen", "sendto", "sendmsg", "sendmmsg",
)

PACKAGES = [
    (Ecosystem.PYPI, "six", "1.16.0"),
    (Ecosystem.PYPI, "idna", "3.10"),
    (Ecosystem.PYPI, "attrs", "24.2.0"),
    (Ecosystem.PYPI, "packaging", "24.1"),
    (Ecosystem.NPM, "is-number", "7.0.0"),
    (Ecosystem.NPM, "ms", "2.1.3"),
    (Ecosystem.NPM, "chalk", "4.1.2"),  # pulls dependencies through the registry pass-through
    (Ecosystem.NPM, "lodash", "4.17.21"),  # many files
]


def fetch(eco: Ecosystem, name: str, version: str) -> Artifact:
    registry = registry_for(eco)
    dest = cache_dir() / "bench" / eco.value / f"{name}-{version}"
    package = registry.resolve(name, version)
    return registry.download(package, dest)


def bare_pypi(artifact: Artifact) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as tmp:
        venv = Path(tmp) / "venv"
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        py = str(venv / "bin" / "python")
        t0 = time.monotonic()
        subprocess.run([py, "-m", "pip", "install", "--no-input", "--disable-pip-version-check",
                        "--no-warn-script-location", "--progress-bar", "off", "-q", str(artifact.path)],
                       check=True)
        # Module discovery as the guest driver does it, then one import per process.
        mods = subprocess.run([py, "-c", _TOP_LEVEL, artifact.package.name], check=True,
                              capture_output=True, text=True).stdout.split()
        for m in mods:
            subprocess.run([py, "-c", "import importlib, sys; importlib.import_module(sys.argv[1])", m],
                           check=True)
        return time.monotonic() - t0


def bare_npm(artifact: Artifact) -> float:
    with tempfile.TemporaryDirectory(prefix="bench-bare-") as tmp:
        Path(tmp, "package.json").write_text('{"name": "bench-project", "version": "1.0.0"}')
        t0 = time.monotonic()
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--no-update-notifier", "--silent",
                        str(artifact.path)], cwd=tmp, check=True)
        subprocess.run(["node", "-e", "require(process.argv[1])", artifact.package.name], cwd=tmp, check=True)
        return time.monotonic() - t0


_TOP_LEVEL = """
import importlib.metadata as md, re, sys
norm = lambda s: re.sub(r"[-_.]+", "-", s or "").lower()
d = md.distribution(sys.argv[1])
tl = d.read_text("top_level.txt")
mods = tl.split() if tl else sorted({f.parts[0].removesuffix(".py") for f in d.files or []
    if not f.parts[0].endswith((".dist-info", ".egg-info", ".data")) and f.parts[0] not in ("..", "__pycache__")})
print(" ".join(m for m in mods if m.isidentifier()))
"""


def reach_costs(as_json: bool) -> int:
    rows = []
    for eco, name, version in PACKAGES:
        if eco is not Ecosystem.PYPI:
            continue
        artifact = fetch(eco, name, version)
        t0 = time.monotonic()
        analyze_dynamic(artifact, worlds="none")
        base = time.monotonic() - t0
        t0 = time.monotonic()
        _doc, report = analyze_dynamic(artifact, worlds="all")
        every = time.monotonic() - t0
        n = len(report.get("worlds") or {})
        rows.append({"name": name, "base_s": round(base, 2), "all_worlds_s": round(every, 2), "worlds": n,
                     "per_world_s": round((every - base) / max(n, 1), 2)})
        if not as_json:
            print(f"{name+'@'+version:24} base {base:6.2f}s  {n} worlds {every:6.2f}s  "
                  f"+{(every - base) / max(n, 1):5.2f}s per world", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-fallback-") as tmp:
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
        from builders import setup_py_package  # a sdist whose PEP 517 build dies at an import
        sdist = setup_py_package(Path(tmp), "bench-fallback", "import win32api\n")
        from pkgtrace.ecosystems import registry_for as _reg
        artifact = Artifact.from_file(_reg(Ecosystem.PYPI).identify_local(sdist), sdist)
        _doc, report = analyze_dynamic(artifact, worlds="none")
        install = report["phases"]["install"]
        attempts = (install.get("fallback") or {}).get("attempts") or []
        fb = {"install_s": install["duration_s"],
              "attempts": [{"kind": a["kind"], "seconds": a.get("seconds")} for a in attempts]}
    summary = {"worlds": rows, "per_world_median_s": round(statistics.median(r["per_world_s"] for r in rows), 2),
               "fallback": fb}
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"\nper world, median: +{summary['per_world_median_s']}s; failing sdist: install "
              f"{fb['install_s']}s, fallbacks " + ", ".join(f"{a['kind']} {a['seconds']}s" for a in fb["attempts"]))
    return 0


def cache_savings(as_json: bool) -> int:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-cache-") as tmp:
        for eco, name, version in PACKAGES:
            artifact = fetch(eco, name, version)
            # one empty folder per release: its cold run shares nothing with the others'
            os.environ["PKGTRACE_DOWNLOAD_CACHE"] = str(Path(tmp) / f"{eco.value}-{name}")
            row: dict = {"ecosystem": eco.value, "name": name, "version": version}
            for side in ("cold", "warm"):
                t0 = time.monotonic()
                _doc, report = analyze_dynamic(artifact, only=frozenset({"install", "import"}))
                row[f"{side}_s"] = round(time.monotonic() - t0, 2)
                row[side] = upstream_traffic(report.get("registry_proxy") or [])
            row["ratio"] = round(row["warm_s"] / row["cold_s"], 2)
            rows.append(row)
            if not as_json:
                c, w = row["cold"], row["warm"]
                print(f"{eco.value:5} {name+'@'+version:24} cold {row['cold_s']:6.2f}s "
                      f"{c['upstream_bytes']:>10,}B up  warm {row['warm_s']:6.2f}s {w['upstream_bytes']:>10,}B up "
                      f"{w['cache_bytes']:>10,}B cached  ratio {row['ratio']:4.2f}x", flush=True)
    os.environ.pop("PKGTRACE_DOWNLOAD_CACHE", None)
    cold, warm = sum(r["cold_s"] for r in rows), sum(r["warm_s"] for r in rows)
    summary = {"cold_s": round(cold, 2), "warm_s": round(warm, 2), "ratio": round(warm / cold, 2),
               "median_ratio": round(statistics.median(r["ratio"] for r in rows), 2),
               "cold_upstream_bytes": sum(r["cold"]["upstream_bytes"] for r in rows),
               "warm_upstream_bytes": sum(r["warm"]["upstream_bytes"] for r in rows),
               "warm_cache_bytes": sum(r["warm"]["cache_bytes"] for r in rows), "rows": rows}
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"\nwarm vs cold: {summary['warm_s']}s vs {summary['cold_s']}s, ratio {summary['ratio']}x "
              f"(median per release {summary['median_ratio']}x); bytes from the registries "
              f"{summary['cold_upstream_bytes']:,} cold, {summary['warm_upstream_bytes']:,} warm "
              f"({summary['warm_cache_bytes']:,} from the cache)")
    return 0


@contextlib.contextmanager
def _patched(owner, name: str, value):
    saved = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, saved)


@contextlib.contextmanager
def _traced(_sb):
    yield False


# The other side of an A/B run: what `now` is measured against, under the same load.
BASELINES = {
    "pre11": ("the pre-issue-11 trace", lambda: _patched(runsc, "TRACED_SYSCALLS", PRE_ISSUE_11_SYSCALLS)),
    "traced_collector": ("the collector traced", lambda: _patched(runsc.Sandbox, "untraced", _traced)),
}


def _timed(artifact: Artifact, patch=contextlib.nullcontext) -> dict:
    with patch():
        t0 = time.monotonic()
        _doc, report = analyze_dynamic(artifact, only=frozenset({"install", "import"}))
        total = time.monotonic() - t0
    timings = report["sandbox"].get("timings") or {}
    return {"s": total, "phases_s": sum(p["duration_s"] or 0 for p in report["phases"].values()),
            "setup_s": timings.get("setup_s"), "parse_s": timings.get("trace_parse_s"),
            "startup_s": report["sandbox"]["startup_s"], "log_bytes": report["trace_stats"].get("bytes")}


def ab_baseline(repeat: int, as_json: bool, tag: str) -> int:
    """The current sandbox against BASELINES[TAG], alternating, both against bare."""
    what, patch = BASELINES[tag]
    rows = []
    for eco, name, version in PACKAGES:
        artifact = fetch(eco, name, version)
        now, before, bare = [], [], []
        for i in range(repeat):
            # the side that runs first fills the download caches: it alternates
            for runs, side in ((now, contextlib.nullcontext), (before, patch))[::1 if i % 2 else -1]:
                runs.append(_timed(artifact, side))
            bare.append(bare_pypi(artifact) if eco is Ecosystem.PYPI else bare_npm(artifact))
        med = lambda runs, k: statistics.median(r[k] for r in runs)  # noqa: E731
        b = statistics.median(bare)
        row = {"name": name, "bare_s": round(b, 2),
               **{f"{side}_{k}": round(med(runs, k), 3) for side, runs in (("now", now), (tag, before))
                  for k in ("s", "phases_s", "setup_s", "parse_s", "startup_s", "log_bytes")}}
        row["ratio_now"], row[f"ratio_{tag}"] = round(row["now_s"] / b, 2), round(row[f"{tag}_s"] / b, 2)
        rows.append(row)
        if not as_json:
            print(f"{eco.value:5} {name+'@'+version:20} bare {b:5.2f}s | now {row['now_s']:6.2f}s "
                  f"{row['ratio_now']:5.2f}x log {row['now_log_bytes']:>10,.0f}B parse {row['now_parse_s']:5.2f}s "
                  f"phases {row['now_phases_s']:5.2f}s setup {row['now_setup_s']:4.2f}s | {tag} "
                  f"{row[f'{tag}_s']:6.2f}s {row[f'ratio_{tag}']:5.2f}x log {row[f'{tag}_log_bytes']:>10,.0f}B "
                  f"parse {row[f'{tag}_parse_s']:5.2f}s phases {row[f'{tag}_phases_s']:5.2f}s", flush=True)
    summary = {"median_ratio_now": round(statistics.median(r["ratio_now"] for r in rows), 2),
               f"median_ratio_{tag}": round(statistics.median(r[f"ratio_{tag}"] for r in rows), 2),
               "rows": rows}
    summary[f"now_over_{tag}"] = round(summary["median_ratio_now"] / summary[f"median_ratio_{tag}"], 3)
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"\nmedian ratio against bare: now {summary['median_ratio_now']}x, with {what} "
              f"{summary[f'median_ratio_{tag}']}x (now/{tag} {summary[f'now_over_{tag}']})")
    return 0


def _steps(report: dict) -> dict:
    """Where the last run's time went, from the report: sandbox start, the setup step, the phases,
    the written-files collector after each, and the trace parse left after the last phase."""
    timings = report["sandbox"].get("timings") or {}
    phases = report["phases"].values()
    return {"startup": report["sandbox"].get("startup_s"), "setup": timings.get("setup_s"),
            "phases": round(sum(p.get("duration_s") or 0 for p in phases), 3),
            "collector": round(sum((p.get("written_summary") or {}).get("seconds") or 0 for p in phases), 3),
            "parse_left": timings.get("trace_parse_s"), "total": timings.get("total_s")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each side per package (median taken)")
    ap.add_argument("--json", action="store_true", help="print the table as JSON")
    ap.add_argument("--worlds", action="store_true", help="the cost of other worlds and install fallbacks")
    ap.add_argument("--cache", action="store_true", help="cold against warm download cache")
    ap.add_argument("--baseline-trace", action="store_true",
                    help="also run with the syscalls traced before issue 11, in the same run")
    ap.add_argument("--traced-collector", action="store_true",
                    help="also run with the written-files collector traced, in the same run")
    args = ap.parse_args()
    if args.cache:
        return cache_savings(args.json)
    if args.worlds:
        return reach_costs(args.json)
    if args.baseline_trace:
        return ab_baseline(args.repeat, args.json, "pre11")
    if args.traced_collector:
        return ab_baseline(args.repeat, args.json, "traced_collector")

    rows, startups = [], []
    for eco, name, version in PACKAGES:
        artifact = fetch(eco, name, version)
        sandboxed, bare = [], []
        for _ in range(args.repeat):
            t0 = time.monotonic()
            doc, report = analyze_dynamic(artifact, only=frozenset({"install", "import"}))
            sandboxed.append(time.monotonic() - t0)
            statuses = {p: a.get("Status") for p, a in doc["Analysis"].items() if a}
            log_bytes = report["trace_stats"].get("bytes")  # the strace log, as read
            report_bytes = len(json.dumps(doc)) + len(json.dumps(report))
            steps = _steps(report)
            startups.append(report["sandbox"]["startup_s"])
            bare.append(bare_pypi(artifact) if eco is Ecosystem.PYPI else bare_npm(artifact))
        s, b = statistics.median(sandboxed), statistics.median(bare)
        rows.append({"ecosystem": eco.value, "name": name, "version": version, "pkgtrace_s": round(s, 2),
                     "bare_s": round(b, 2), "ratio": round(s / b, 2), "statuses": statuses,
                     "log_bytes": log_bytes, "report_bytes": report_bytes, "steps_s": steps})
        if not args.json:
            print(f"{eco.value:5} {name+'@'+version:24} pkgtrace {s:6.2f}s  bare {b:6.2f}s  "
                  f"ratio {s / b:5.2f}x  log {log_bytes or 0:>10,}B  report {report_bytes:>9,}B  "
                  f"{statuses}", flush=True)
    summary = {"median_ratio": round(statistics.median(r["ratio"] for r in rows), 2),
               "startup_median_s": round(statistics.median(startups), 3),
               "startup_max_s": round(max(startups), 3), "rows": rows}
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"\nmedian ratio {summary['median_ratio']}x (target < 3x); sandbox start-up median "
              f"{summary['startup_median_s']}s, max {summary['startup_max_s']}s (target < 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
