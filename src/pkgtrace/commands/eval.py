"""`pkgtrace eval CORPUS`: detection and false-positive rates over a labelled corpus."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pkgtrace.config import cache_dir
from pkgtrace.commands._app import EXIT_FINDINGS, EXIT_USAGE, app, console, emit_json, fail
from pkgtrace.eval import corpus as corpus_mod
from pkgtrace.eval.runner import RunOptions, run
from pkgtrace.eval.summary import summarize
from pkgtrace.eval.validate import missed_targets, validate


@app.command("eval")
def eval_command(
    corpus: Path = typer.Argument(..., help="Corpus folder: ECOSYSTEM-malicious*.zip and benign*-ECOSYSTEM.txt"),
    mode: str = typer.Option("static", "--mode", help="static, dynamic or all (static+dynamic)"),
    workers: int = typer.Option(2, "--workers", "-j", help="Releases analysed in parallel"),
    work: Optional[Path] = typer.Option(None, "--work", help="Folder for results, documents and downloads (resumable)"),
    limit_malicious: Optional[int] = typer.Option(None, "--limit-malicious", help="At most N malicious releases per ecosystem"),
    limit_benign: Optional[int] = typer.Option(None, "--limit-benign", help="At most N benign releases per ecosystem"),
    side: str = typer.Option("both", "--side", help="malicious, benign or both"),
    seed: Optional[int] = typer.Option(None, "--seed", help="With --limit-*: a seeded random sample instead of the first N"),
    password: str = typer.Option("infected", "--password", help="Password of the malicious zips"),
    rejudge: bool = typer.Option(False, "--rejudge", help="Recompute verdicts from stored documents (after rule changes)"),
    stored_only: bool = typer.Option(False, "--stored-only", help="Only the releases already analysed in --work (figures on an interrupted run)"),
    no_metadata: bool = typer.Option(False, "--no-metadata", help="Do not ask the registries for metadata"),
    timeout: Optional[float] = typer.Option(None, "--timeout", help="Sandbox wall-time limit per phase, seconds"),
    folds: int = typer.Option(5, "--folds", help="k of the k-fold over near-duplicate clusters (0: none)"),
    fold_seed: int = typer.Option(0, "--fold-seed", help="Seed of the assignment of clusters to folds"),
    tune_fp: float = typer.Option(0.5, "--tune-fp", help="k-fold: the benign false-positive rate (%) a threshold is tuned to on the training folds"),
    min_detection: Optional[float] = typer.Option(None, "--min-detection", help="Exit 1 if the detection rate (%) of any malicious group is below"),
    max_fp: Optional[float] = typer.Option(None, "--max-fp", help="Exit 1 if the share (%) of any benign group (list kind and ecosystem) labelled other than benign is above"),
    json_out: bool = typer.Option(False, "--json", help="Print the summary and every result as JSON"),
) -> None:
    """Run pkgtrace over a labelled corpus: detection rate, false-positive rate, rule hits, slowest."""
    if mode not in ("static", "dynamic", "all"):
        raise fail("--mode must be static, dynamic or all", EXIT_USAGE)
    if side not in ("malicious", "benign", "both"):
        raise fail("--side must be malicious, benign or both", EXIT_USAGE)
    if workers < 1:
        raise fail("--workers must be at least 1", EXIT_USAGE)
    if folds < 0 or folds == 1:
        raise fail("--folds must be 0 (none) or at least 2", EXIT_USAGE)
    try:
        mal, ben = corpus_mod.load(corpus)
    except corpus_mod.CorpusError as e:
        raise fail(str(e), EXIT_USAGE)
    items = []
    if side in ("malicious", "both"):
        items += corpus_mod.take(mal, limit_malicious, seed=seed)
    if side in ("benign", "both"):
        items += corpus_mod.take(ben, limit_benign, seed=seed)
    if work is None:
        digest = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
        work = cache_dir() / "eval" / f"{digest}-{mode}"
    opts = RunOptions(work=str(work), mode=mode, workers=workers, password=password or None,
                      rejudge=rejudge, metadata=not no_metadata, phase_seconds=timeout,
                      stored_only=stored_only)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console, transient=True) as bar:
        task = bar.add_task("evaluating", total=len(items))

        def tick(r: dict, i: int, n: int) -> None:
            bar.update(task, completed=i, description=f"{r['side'][:3]} {r['name'][:30]}")

        results = run(items, opts, tick)
    summary = summarize(results)
    summary["validation"] = validate(results, k=folds, seed=fold_seed, max_fp=tune_fp)
    if json_out:
        emit_json({"corpus": str(corpus), "mode": mode, "work": str(work), "summary": summary,
                   "results": results})
    else:
        _print(summary, mode, work)
    missed = missed_targets(summary["validation"], min_detection, max_fp)
    if missed:
        console.print("[bold red]targets missed[/]: " + "; ".join(missed), markup=True)
        raise typer.Exit(EXIT_FINDINGS)


def _print_reach(reach: dict) -> None:
    """Dynamic modes: how far releases got (phase statuses, fallbacks, worlds, rules fired)."""
    if not reach:
        return
    t = Table("side", "releases", "phase statuses", "install fallback", "worlds run (differing)",
              "dynamic rule fired", title="payload reach")
    for side, v in sorted(reach.items()):
        statuses = "; ".join(f"{p}: " + ", ".join(f"{k} {n}" for k, n in sorted(c.items()))
                             for p, c in v["phases"].items())
        worlds = ", ".join(f"{w} {n} ({v['worlds_differing'].get(w, 0)})" for w, n in sorted(v["worlds"].items()))
        t.add_row(side, str(v["releases"]), statuses,
                  ", ".join(f"{k} {n}" for k, n in sorted(v["fallback"].items())), worlds or "-",
                  f"{v['dynamic_rule_fired']} ({v['fired_only_in_a_world']} only in a world)")
    console.print(t)
    for side, v in sorted(reach.items()):
        if v.get("unfinished"):
            console.print(f"[bold]{side}: phases not completed[/]: "
                          + "; ".join(f"{k} ×{n}" for k, n in v["unfinished"].items()), markup=True)


def _print(s: dict, mode: str, work: Path) -> None:
    m, b = s["malicious"], s["benign"]
    console.print(f"[bold]mode[/] {mode}   [bold]work[/] {work}")
    if m["total"]:
        console.print(f"[bold]detection[/]: {m['detected']}/{m['evaluated']} labelled malicious = "
                      f"[bold]{m['detection_rate']}%[/]  labels {m['labels']}  errors {m['errors']}")
    if b["total"]:
        console.print(f"[bold]false positives[/]: {b['flagged']}/{b['evaluated']} not benign = "
                      f"[bold]{b['false_positive_rate']}%[/]  labels {b['labels']}  errors {b['errors']}")
    if s.get("errors_by_kind"):
        console.print("[bold]no verdict[/]: " + ", ".join(f"{k} {n}" for k, n in s["errors_by_kind"].items()))
    if m["total"]:
        d = s["labels_detected"]
        console.print(f"[bold]malicious or suspicious[/]: {d['malicious_or_suspicious']}/{m['evaluated']} = "
                      f"[bold]{d['malicious_or_suspicious_rate']}%[/]")
    _print_reach(s.get("payload_reach") or {})
    for k, v in sorted(s["by_ecosystem"].items()):
        console.print(f"  {k}: {v['total']} {v['labels']}")
    _print_validation(s["validation"])
    t = Table("release", "side", "seconds", title="slowest")
    for r in s["slowest"]:
        t.add_row(r["release"], r["side"], str(r["seconds"]))
    console.print(t)
    for title, rows in (("false positives", s["false_positives"]),):
        if rows:
            console.print(f"[bold]{title}[/] ({len(rows)}):")
            for r in rows[:40]:
                console.print(f"  {r['release']}  {r['label']} {r['score']}  {', '.join(r['rules'])}",
                              markup=False, highlight=False)
    for e in s["errors"][:20]:
        console.print(f"  [red]error[/] {e['side']} {e['release']}: {e['error']}", markup=False)


def _print_validation(v: dict) -> None:
    c = v["clusters"]
    console.print(f"[bold]near-duplicate clusters[/]: {c['clusters']} for {c['releases']} releases, "
                  f"largest {c['largest']}")
    t = Table("group", "threshold", "releases", "rate %", "clusters", "cluster rate %", "95% CI",
              title="rates (interval over clusters)")
    for g, by in v["rates"].items():
        for th, r in by.items():
            t.add_row(g, th, f"{r['k']}/{r['n']}", str(r["rate"]), str(r["clusters"]),
                      str(r["cluster_rate"]), f"{r['ci95'][0]}–{r['ci95'][1]}" if r["ci95"] else "")
    console.print(t)
    if v.get("kfold"):
        k = v["kfold"]
        t = Table("group", "flagged", "cluster rate %", "95% CI",
                  title=f"{k['k']}-fold over clusters, threshold tuned to {k['max_fp_percent']}% "
                        f"benign FP on the training folds (thresholds {[f['threshold'] for f in k['folds']]})")
        for g, r in k["out_of_fold"].items():
            t.add_row(g, f"{r['k']}/{r['n']}", str(r["cluster_rate"]),
                      f"{r['ci95'][0]}–{r['ci95'][1]}" if r["ci95"] else "")
        console.print(t)
    t = Table("rule", "malicious", "mal. clusters", "benign", "precision %", "benign examples",
              title="rules (precision on this corpus)")
    for r in v["rules"]:
        t.add_row(r["rule"], str(r["malicious"]), str(r["malicious_clusters"]), str(r["benign"]),
                  str(r["precision"]), ", ".join(r["benign_releases"][:3]))
    console.print(t)
    if v["missed_clusters"]:
        console.print(f"[bold]missed clusters[/] ({len(v['missed_clusters'])}):")
        for m in v["missed_clusters"][:40]:
            console.print(f"  {m['missed']}/{m['size']} {', '.join(m['examples'])}  {m['labels']} "
                          f"{m['score']}  {', '.join(m['rules'])}", markup=False, highlight=False)
