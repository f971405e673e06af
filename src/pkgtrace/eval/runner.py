"""Evaluate corpus items in parallel worker processes; every result is stored as it completes,
so an interrupted run resumes where it stopped.

Work folder layout (--work):
  results/<key>.json       the outcome of one item (label, score, rules fired, seconds, error)
  reports/<key>.json.gz    its documents, for re-judging after rules change (--rejudge)
  artifacts/<key>/…        benign artifacts downloaded from the registries (kept: re-runs
                           and --rejudge do not download again)
  metadata/<key>.json      benign releases' registry metadata (eval/metadata.py)
Malicious archives are read from their zip into a private temporary folder for the analysis and
deleted right after; they are never executed outside the sandbox (static analysis only reads
their bytes; dynamic and combined modes run them in the sandbox).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import time
import traceback
import zipfile
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from pkgtrace.api.read import upgrade_report
from pkgtrace.api.verdict import Verdict
from pkgtrace.eval import metadata as metadata_mod
from pkgtrace.eval import reach as reach_mod
from pkgtrace.eval.corpus import Item

Progress = Callable[[dict, int, int], None]


@dataclass(frozen=True)
class RunOptions:
    work: str
    mode: str = "static"            # static | dynamic | all
    workers: int = 2
    password: str | None = "infected"
    rejudge: bool = False           # recompute verdicts from stored documents, no re-analysis
    metadata: bool = True           # judge with metadata (eval/metadata.py); False: none
    phase_seconds: float | None = None
    stored_only: bool = False       # only items already analysed in WORK (figures on a partial run)


def result_path(work: Path, item: Item) -> Path:
    return work / "results" / f"{item.key}.json"


def run(items: list[Item], opts: RunOptions, progress: Progress = lambda r, i, n: None) -> list[dict]:
    work = Path(opts.work)
    (work / "results").mkdir(parents=True, exist_ok=True)
    (work / "reports").mkdir(parents=True, exist_ok=True)
    done: dict[str, dict] = {}
    todo: list[Item] = []
    if opts.stored_only:
        items = [it for it in items if (work / "reports" / f"{it.key}.json.gz").is_file()]
    for it in items:
        p = result_path(work, it)
        prev = _load(p)
        if prev is not None and not opts.rejudge and prev.get("mode") == opts.mode \
                and not prev.get("error"):
            done[it.key] = prev
        else:
            todo.append(it)
    n = len(items)
    for i, r in enumerate(done.values(), 1):
        progress(r, i, n)
    count = len(done)
    if opts.workers <= 1:
        for it in todo:
            r = evaluate(it, opts)
            done[it.key] = r
            count += 1
            progress(r, count, n)
    else:
        with ProcessPoolExecutor(max_workers=opts.workers) as pool:
            pending: dict[Future, Item] = {}
            queue = list(todo)
            while queue or pending:
                while queue and len(pending) < opts.workers * 2:
                    it = queue.pop(0)
                    pending[pool.submit(evaluate, it, opts)] = it
                finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in finished:
                    it = pending.pop(f)
                    try:
                        r = f.result()
                    except Exception as e:  # a worker process died: record it, carry on
                        r = _error_result(it, opts, f"worker failed: {type(e).__name__}: {e}", 0.0)
                        _save(result_path(work, it), r)
                    done[it.key] = r
                    count += 1
                    progress(r, count, n)
    return [done[it.key] for it in items if it.key in done]


def evaluate(item: Item, opts: RunOptions) -> dict:
    """Analyse one item (or re-judge its stored documents) and store the result."""
    work = Path(opts.work)
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="pkgtrace-eval-"))
    try:
        artifact = _materialize(item, work, tmp, opts)
        report_file = work / "reports" / f"{item.key}.json.gz"
        rejudging = opts.rejudge and report_file.is_file()
        if rejudging:
            docs = json.loads(gzip.decompress(report_file.read_bytes()))
            report = upgrade_report(docs["report"])
        else:
            from pkgtrace.analysis import AnalysisRequest, analyze
            from pkgtrace.model import Ecosystem
            from pkgtrace.sandbox.runsc import Limits
            limits = Limits(phase_seconds=opts.phase_seconds) if opts.phase_seconds else None
            # metadata=False: eval chooses each side's metadata itself (eval/metadata.py)
            req = AnalysisRequest(Ecosystem.parse(item.ecosystem), local=artifact, mode=opts.mode,  # type: ignore[arg-type]
                                  limits=limits, metadata=False)
            outcome = analyze(req)
            docs, report = outcome.documents, outcome.report
        version = report.package.version or item.version
        md = metadata_mod.for_item(item, version, work, opts.metadata,
                                   report.verdict.metadata if report.verdict else None)
        if rejudging or md is not None:
            from pkgtrace.verdict import judge
            t1 = time.monotonic()
            # as analysis does: code rules read the artifact only in modes with static evidence
            code = artifact if opts.mode in ("static", "all") else None
            report.verdict = Verdict.model_validate(judge({**docs, "report": report}, artifact=code,
                                                          metadata=md))
            report.timings.verdict_s = round(time.monotonic() - t1, 3)
            docs["report"] = report.as_dict()
        report_file.write_bytes(gzip.compress(json.dumps(docs, default=str).encode(), 6))
        from pkgtrace.eval.cluster import release_signature
        v = report.verdict
        if v is None:
            raise ValueError("the report has no verdict")
        result = {**_base(item, opts), "label": v.label, "score": v.score,
                  "rules": v.rules_fired or sorted({f.rule for f in v.findings}),
                  "findings": [{"rule": f.rule, "message": f.message[:160]} for f in v.findings[:6]],
                  "version": version,
                  "reach": reach_mod.of_report(report),
                  "metadata_source": (md or {}).get("source"),
                  "timings": report.timings.model_dump(exclude_none=True),
                  "minhash": release_signature(artifact, item.ecosystem, item.name),
                  "seconds": round(time.monotonic() - t0, 3), "error": None}
    except Exception as e:  # one bad release never stops an evaluation
        result = _error_result(item, opts, f"{type(e).__name__}: {e}", time.monotonic() - t0,
                               traceback.format_exc(limit=4))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    _save(result_path(work, item), result)
    return result


def _materialize(item: Item, work: Path, tmp: Path, opts: RunOptions) -> Path:
    if item.side == "malicious" or item.zip_path:
        with zipfile.ZipFile(item.zip_path) as z:  # type: ignore[arg-type]
            data = z.read(item.member, pwd=opts.password.encode() if opts.password else None)  # type: ignore[arg-type]
        dest = tmp / Path(item.member or "artifact").name
        dest.write_bytes(data)
        return dest
    cache = work / "artifacts" / item.key
    marker = cache / "artifact.json"
    if marker.is_file():
        path = Path(json.loads(marker.read_text())["path"])
        if path.is_file():
            return path
    from pkgtrace.ecosystems import registry_for
    from pkgtrace.model import Ecosystem
    reg = registry_for(Ecosystem.parse(item.ecosystem))
    pkg = reg.resolve(item.name, item.version)
    art = reg.download(pkg, cache)
    marker.write_text(json.dumps({"path": str(art.path), "version": pkg.version}))
    return art.path


def _base(item: Item, opts: RunOptions) -> dict:
    return {"key": item.key, "side": item.side, "ecosystem": item.ecosystem, "name": item.name,
            "version": item.version, "mode": opts.mode, "source": item.source}


def _error_result(item: Item, opts: RunOptions, error: str, seconds: float, tb: str = "") -> dict:
    return {**_base(item, opts), "label": None, "score": None, "rules": [], "findings": [],
            "timings": {}, "seconds": round(seconds, 3), "error": error, "traceback": tb}


def _load(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _save(path: Path, doc: dict) -> None:
    # Write-then-rename: a run killed mid-write leaves no half result to resume from.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(doc, indent=1, default=str))
    tmp.replace(path)


__all__ = ["RunOptions", "run", "evaluate", "asdict"]
