#!/usr/bin/env python3
"""bench/static_speed: pkgtrace's static pass against GuardDog on the same archives, same run.

    python bench/static_speed.py [--benign 40] [--malicious 100] [--guarddog-venv DIR] [--no-guarddog]

Archives: a fixed set of 40 benign PyPI releases (pinned below: the first 40 names of
../shared/corpus/benign-dev-pypi.txt whose artifact is under 30 MB, the file pkgtrace itself
picks), downloaded once into the cache and checked against PyPI's sha256; and the first 100
malicious samples of the dev corpus (sorted by path), copied as archive bytes only into a
temporary folder that is removed at the end. Nothing is ever installed, imported or run.

GuardDog is installed with pip into a throwaway venv (a temporary folder, or --guarddog-venv to
reuse one) and run as `guarddog pypi scan ARCHIVE`, one process per archive, as a user runs it.
Rows:
  pkgtrace          analyze_artifact() in a warm worker process (how pkgtrace's workers run it);
                    its CPU adds that of the pass's libmagic helper process (read from /proc,
                    so in clock ticks)
  guarddog          GuardDog's own extract + scan_local() in one warm process (like for like)
  pkgtrace-cli      `pkgtrace static pypi --local ARCHIVE --json`, one process per archive
  guarddog-cli      `guarddog pypi scan ARCHIVE --output-format json`, one process per archive
The four are timed archive by archive, one after the other, so that a busy machine slows them
alike; each gets wall time and CPU time (user+system, the child's for the CLI rows), CPU time
being what a busy machine disturbs least. Printed: per-package median and p95 of each, and the
ratios of like to like, per set and over all archives together. Target: pkgtrace's full static
pass at least 3x faster than GuardDog per package at the median (the warm in-process rows, wall
time, all archives); the per-set verdicts are printed beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import urljoin

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
GUARDDOG = "guarddog==3.2.0"

BENIGN = [  # (project, version, file) — fixed so that every run measures the same bytes
    ("pandas-stubs", "3.1.0.261029", "pandas_stubs-3.1.0.261029-py3-none-any.whl"),
    ("py4j", "0.10.9.9", "py4j-0.10.9.9-py2.py3-none-any.whl"),
    ("Markdown", "3.11.3", "markdown-3.11.3-py3-none-any.whl"),
    ("google-cloud-dlp", "3.40.0", "google_cloud_dlp-3.40.0-py3-none-any.whl"),
    ("playwright", "1.65.2", "playwright-1.65.2.tar.gz"),
    ("pyzmq", "27.3.0", "pyzmq-27.3.0-cp311-cp311-manylinux_2_26_aarch64.manylinux_2_28_aarch64.whl"),
    ("CacheControl", "0.14.4", "cachecontrol-0.14.4-py3-none-any.whl"),
    ("importlib-resources", "7.1.0", "importlib_resources-7.1.0-py3-none-any.whl"),
    ("joserfc", "1.8.0", "joserfc-1.8.0-py3-none-any.whl"),
    ("google-cloud-speech", "2.41.0", "google_cloud_speech-2.41.0-py3-none-any.whl"),
    ("vcs-versioning", "2.6.0", "vcs_versioning-2.6.0-py3-none-any.whl"),
    ("pymongo", "4.20.1",
     "pymongo-4.20.1-cp311-cp311-manylinux1_i686.manylinux_2_28_i686.manylinux_2_5_i686.whl"),
    ("watchdog", "7.1.0", "watchdog-7.1.0.tar.gz"),
    ("debugpy", "1.8.22", "debugpy-1.8.22-py2.py3-none-any.whl"),
    ("google-cloud-pubsub", "2.44.0", "google_cloud_pubsub-2.44.0-py3-none-any.whl"),
    ("tree-sitter", "0.26.1", "tree_sitter-0.26.1-cp311-cp311-manylinux2014_aarch64."
                              "manylinux_2_17_aarch64.manylinux_2_28_aarch64.whl"),
    ("google-cloud-texttospeech", "2.38.0", "google_cloud_texttospeech-2.38.0-py3-none-any.whl"),
    ("typing-inspect", "0.9.0", "typing_inspect-0.9.0-py3-none-any.whl"),
    ("llama-parse", "0.6.94", "llama_parse-0.6.94-py3-none-any.whl"),
    ("dbt-adapters", "1.24.5", "dbt_adapters-1.24.5-py3-none-any.whl"),
    ("llama-cloud-services", "0.6.94", "llama_cloud_services-0.6.94-py3-none-any.whl"),
    ("aioitertools", "0.13.0", "aioitertools-0.13.0-py3-none-any.whl"),
    ("rich-toolkit", "0.20.6", "rich_toolkit-0.20.6-py3-none-any.whl"),
    ("isort", "9.0.2", "isort-9.0.2-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64."
                       "manylinux_2_28_x86_64.whl"),
    ("structlog", "26.1.0", "structlog-26.1.0-py3-none-any.whl"),
    ("pycryptodome", "4.4.0", "pycryptodome-4.4.0-cp39-abi3-manylinux2014_aarch64."
                              "manylinux_2_17_aarch64.whl"),
    ("tinycss2", "1.5.1", "tinycss2-1.5.1-py3-none-any.whl"),
    ("pytest-mock", "3.17.0", "pytest_mock-3.17.0-py3-none-any.whl"),
    ("slack-sdk", "3.48.0", "slack_sdk-3.48.0-py2.py3-none-any.whl"),
    ("asyncpg", "0.32.0", "asyncpg-0.32.0-cp311-cp311-manylinux2014_aarch64.manylinux_2_17_aarch64."
                          "manylinux_2_28_aarch64.whl"),
    ("mdit-py-plugins", "0.7.0", "mdit_py_plugins-0.7.0-py3-none-any.whl"),
    ("PyMySQL", "1.2.4", "pymysql-1.2.4-py3-none-any.whl"),
    ("google-cloud-tasks", "2.26.0", "google_cloud_tasks-2.26.0-py3-none-any.whl"),
    ("dulwich", "1.2.21", "dulwich-1.2.21-cp311-cp311-manylinux_2_28_aarch64.whl"),
    ("langsmith", "0.15.1", "langsmith-0.15.1-py3-none-any.whl"),
    ("lz4", "4.4.5", "lz4-4.4.5-cp311-cp311-manylinux2014_aarch64.manylinux_2_17_aarch64."
                     "manylinux_2_28_aarch64.whl"),
    ("jupyter-core", "5.9.1", "jupyter_core-5.9.1-py3-none-any.whl"),
    ("jsonschema-path", "0.5.0", "jsonschema_path-0.5.0-py3-none-any.whl"),
    ("google-cloud-monitoring", "2.32.0", "google_cloud_monitoring-2.32.0-py3-none-any.whl"),
    ("flatbuffers", "25.12.19", "flatbuffers-25.12.19-py2.py3-none-any.whl"),
]

# Runs inside GuardDog's venv: its own local-archive path (safe_extract + scan_local) in one
# process, so that its per-package time can be compared without its start-up cost.
GUARDDOG_INPROC = r"""
import json, os, sys, tempfile, time
from guarddog.scanners import PypiPackageScanner
from guarddog.utils.archives import safe_extract
scanner = PypiPackageScanner()
print("@@T ready", flush=True)
for line in sys.stdin:
    path = line.rstrip("\n")
    t0, c0 = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory() as tmp:
        d = os.path.join(tmp, "x"); os.makedirs(d)
        try:
            safe_extract(path, d)
            scanner.scan_local(d)
        except Exception as e:
            print(f"guarddog: {os.path.basename(path)}: {type(e).__name__}: {e}", file=sys.stderr)
    print("@@T " + json.dumps([time.perf_counter() - t0, time.process_time() - c0]), flush=True)
"""


def cache_dir() -> Path:
    base = os.environ.get("PKGTRACE_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "pkgtrace")
    return Path(base) / "bench" / "static_speed"


def fetch_benign(n: int) -> list[Path]:
    sys.path.insert(0, str(ROOT / "src"))
    from pkgtrace.ecosystems import http
    from pkgtrace.ecosystems.pypi import base_url
    dest = cache_dir() / "benign"
    dest.mkdir(parents=True, exist_ok=True)
    paths = []
    for project, version, filename in BENIGN[:n]:
        path = dest / filename
        if not path.exists():
            print(f"  downloading {filename}", file=sys.stderr)
            # The project document lists every release's files (the per-version document is not
            # served by every PyPI mirror).
            doc_url = f"{base_url()}/pypi/{project}/json"
            doc = http.get_json(doc_url)
            files = (doc.get("releases") or {}).get(version) or doc.get("urls") or []
            match = [u for u in files if u.get("filename") == filename]
            if not match:
                raise SystemExit(f"PyPI no longer lists {filename}")
            # Some mirrors answer file URLs relative to the document.
            http.download(urljoin(doc_url, match[0]["url"]), path, algorithm="sha256",
                          digest=match[0]["digests"]["sha256"])
        paths.append(path)
    return paths


def copy_malicious(n: int, dest: Path) -> list[Path]:
    """The first N samples' archive bytes (never extracted, never run)."""
    corpus = CORPUS / "pypi-malicious-dev.zip"
    if not corpus.exists():
        print(f"no malicious corpus at {corpus}: skipping that half", file=sys.stderr)
        return []
    out = []
    with zipfile.ZipFile(corpus) as z:
        names = sorted(n for n in z.namelist() if not n.endswith("/"))[:n]
        for i, name in enumerate(names):
            path = dest / f"{i:03d}-{Path(name).name}"
            path.write_bytes(z.read(name, pwd=b"infected"))
            out.append(path)
    return out


def guarddog_venv(existing: str | None, tmp: Path) -> Path | None:
    if existing:
        venv = Path(existing)
        if not (venv / "bin" / "guarddog").exists():
            print(f"creating GuardDog venv at {venv}", file=sys.stderr)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            subprocess.run([str(venv / "bin" / "pip"), "install", "-q", GUARDDOG], check=True)
        return venv
    venv = tmp / "guarddog-venv"
    print(f"installing {GUARDDOG} into a throwaway venv", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", GUARDDOG],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(f"pip install guarddog failed: {r.stderr[-2000:]}", file=sys.stderr)
        return None
    return venv


Timing = tuple[float, float]  # (wall s, CPU s)


class PkgtraceInproc:
    def __init__(self, warm: Path):
        sys.path.insert(0, str(ROOT / "src"))
        from pkgtrace.ecosystems.pypi import PyPI
        from pkgtrace.model import Artifact, Ecosystem, Package
        from pkgtrace.static import analyze_artifact
        self.reg, self.Artifact, self.Package, self.eco = PyPI(), Artifact, Package, Ecosystem.PYPI
        self.analyze = analyze_artifact
        # Warm up so that grammar loading and query compilation are not billed to package one.
        self.analyze(Artifact.from_file(Package(Ecosystem.PYPI, "warm", "0"), warm))

    def __call__(self, p: Path) -> Timing:
        t0, c0, h0 = time.perf_counter(), time.process_time(), self._helper_cpu()
        try:
            pkg = self.reg.identify_local(p)
        except Exception:
            pkg = self.Package(self.eco, p.stem, "0")
        self.analyze(self.Artifact.from_file(pkg, p))
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        return wall, cpu + max(0.0, self._helper_cpu() - h0)

    @staticmethod
    def _helper_cpu() -> float:
        """CPU seconds of the static pass's libmagic helper process (static/magicworker.py):
        process_time() does not see a child, and the CPU column must count all the work."""
        from pkgtrace.static.magicworker import helper_pid
        pid = helper_pid()
        if pid is None:
            return 0.0
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class GuarddogInproc:
    def __init__(self, venv: Path, tmp: Path, env: dict):
        script = tmp / "gd_inproc.py"
        script.write_text(GUARDDOG_INPROC)
        self.proc = subprocess.Popen([str(venv / "bin" / "python"), str(script)], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        assert self._answer() == "ready", "GuardDog worker did not start"

    def _answer(self) -> str:
        # GuardDog prints its own chatter; the worker's answers carry a marker.
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError("GuardDog worker exited")
            if line.startswith("@@T "):
                return line[4:].strip()

    def __call__(self, p: Path) -> Timing:
        self.proc.stdin.write(f"{p}\n")
        self.proc.stdin.flush()
        wall, cpu = json.loads(self._answer())
        return wall, cpu

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(60)


def time_cli(cmd: list[str], p: Path, label: str, env: dict | None = None) -> Timing:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([c.replace("{}", str(p)) for c in cmd] if "{}" in cmd else cmd + [str(p)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode not in (0, 1):
        print(f"  {label}: {p.name}: exit {r.returncode}: {r.stderr.strip()[-300:]}",
              file=sys.stderr)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def pkgtrace_cli_cmd() -> list[str] | None:
    cmd = [sys.executable, "-m", "pkgtrace"]
    r = subprocess.run(cmd + ["static", "--help"], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    if r.returncode != 0:
        print(f"pkgtrace CLI not runnable here ({r.stderr.strip()[-200:]}): skipping that row",
              file=sys.stderr)
        return None
    return cmd + ["static", "pypi", "--json", "--local"]


def stats(times: list[float]) -> tuple[float, float]:
    s = sorted(times)
    p95 = s[min(len(s) - 1, max(0, round(0.95 * len(s)) - 1))]
    return statistics.median(s), p95


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--benign", type=int, default=40)
    ap.add_argument("--malicious", type=int, default=100)
    ap.add_argument("--guarddog-venv", help="reuse (or create) GuardDog's venv here")
    ap.add_argument("--no-guarddog", action="store_true")
    ap.add_argument("--json", action="store_true", help="also print the figures as JSON")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="pkgtrace-bench-"))
    try:
        print("preparing archives", file=sys.stderr)
        sets = {"benign": fetch_benign(args.benign)}
        mal_dir = tmp / "malicious"
        mal_dir.mkdir()
        sets["malicious"] = copy_malicious(args.malicious, mal_dir)
        venv = None if args.no_guarddog else guarddog_venv(args.guarddog_venv, tmp)
        cli = pkgtrace_cli_cmd()
        env_gd = {**os.environ, "PYTHONWARNINGS": "ignore"}

        rows: dict[str, dict[str, list[Timing]]] = {}
        first = next((ps[0] for ps in sets.values() if ps), None)
        if first is None:
            raise SystemExit("no archives to time")
        pt = PkgtraceInproc(first)
        gd = GuarddogInproc(venv, tmp, env_gd) if venv else None
        try:
            for group, paths in sets.items():
                if not paths:
                    continue
                print(f"timing {group} ({len(paths)} archives)", file=sys.stderr)
                res: dict[str, list[Timing]] = {}
                for i, p in enumerate(paths, 1):
                    res.setdefault("pkgtrace", []).append(pt(p))
                    if gd:
                        res.setdefault("guarddog", []).append(gd(p))
                    if cli:
                        res.setdefault("pkgtrace-cli", []).append(
                            time_cli(cli, p, "pkgtrace-cli", {**os.environ,
                                                              "PYTHONPATH": str(ROOT / "src")}))
                    if venv:
                        res.setdefault("guarddog-cli", []).append(time_cli(
                            [str(venv / "bin" / "guarddog"), "pypi", "scan", "{}",
                             "--output-format", "json"], p, "guarddog-cli", env_gd))
                    if i % 20 == 0:
                        print(f"  {i}/{len(paths)}", file=sys.stderr)
                rows[group] = res
        finally:
            if gd:
                gd.close()

        if len(rows) > 1:  # the figure: every archive of the run, benign and malicious
            rows["all"] = {tool: [t for res in list(rows.values()) for t in res.get(tool, [])]
                           for tool in next(iter(rows.values()))}
        report: dict = {}
        print()
        print(f"{'set':<10} {'tool':<14} {'n':>4} {'median s':>9} {'p95 s':>9} "
              f"{'cpu med s':>10} {'cpu p95 s':>10}")
        for group, res in rows.items():
            report[group] = {}
            for tool, timings in res.items():
                med, p95 = stats([w for w, _ in timings])
                cmed, cp95 = stats([c for _, c in timings])
                report[group][tool] = {"n": len(timings), "median_s": round(med, 4),
                                       "p95_s": round(p95, 4), "cpu_median_s": round(cmed, 4),
                                       "cpu_p95_s": round(cp95, 4)}
                print(f"{group:<10} {tool:<14} {len(timings):>4} {med:>9.4f} {p95:>9.4f} "
                      f"{cmed:>10.4f} {cp95:>10.4f}")
        print()
        verdicts = []
        for group, r in report.items():
            pairs = [("guarddog", "pkgtrace"), ("guarddog-cli", "pkgtrace-cli"),
                     ("guarddog-cli", "pkgtrace")]
            for g, p in pairs:
                if g in r and p in r:
                    ratio = r[g]["median_s"] / max(r[p]["median_s"], 1e-9)
                    cpu_ratio = r[g]["cpu_median_s"] / max(r[p]["cpu_median_s"], 1e-9)
                    r[f"ratio {g}/{p}"] = round(ratio, 2)
                    r[f"cpu ratio {g}/{p}"] = round(cpu_ratio, 2)
                    print(f"{group:<10} median {g} / {p}: {ratio:6.2f}x wall, {cpu_ratio:6.2f}x cpu"
                          f"   (p95 {r[g]['p95_s'] / max(r[p]['p95_s'], 1e-9):.2f}x wall)")
                    if (g, p) == ("guarddog", "pkgtrace"):
                        verdicts.append((group, ratio))
        if verdicts:
            overall = dict(verdicts).get("all", verdicts[0][1])
            print(f"\ntarget (pkgtrace's static pass >= 3x faster than GuardDog's per package at "
                  f"the median, warm in-process, wall time, all archives): "
                  f"{'MET' if overall >= 3 else 'NOT MET'} ({overall:.2f}x); per set: "
                  + ", ".join(f"{g} {r:.2f}x {'met' if r >= 3 else 'not met'}"
                              for g, r in verdicts if g != "all"))
        if args.json:
            print(json.dumps(report, indent=2))
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
