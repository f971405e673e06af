"""`pkgtrace status`: queue depth, throughput, failures and feed lag of a running pipeline."""

from __future__ import annotations

import time
from typing import Optional

import typer
from rich.table import Table

from pkgtrace.commands._app import EXIT_USAGE, app, console, emit_json, fail


@app.command()
def status(
    queue: Optional[str] = typer.Option(None, "--queue", help="Queue URL (PKGTRACE_QUEUE)."),
    index: Optional[str] = typer.Option(None, "--index", help="Index URL (PKGTRACE_INDEX)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON on stdout."),
) -> None:
    """Show what the pipeline is doing: queue, throughput, failures, feeds."""
    from pkgtrace.pipeline import settings
    from pkgtrace.pipeline.queues import open_queue
    from pkgtrace.pipeline.status import collect
    from pkgtrace.results.index import open_index
    try:
        idx = open_index(settings.index_url(index))
        q = open_queue(settings.queue_url(queue))
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
    except Exception as e:  # noqa: BLE001
        raise fail(f"cannot open the pipeline's services: {type(e).__name__}: {e}")
    s = collect(idx, q)
    if as_json:
        emit_json(s)
        return
    qd = s["queue"] or {}
    console.print("[bold]queue[/] " + ", ".join(f"{k} {v}" for k, v in qd.items()))
    t = s["throughput"]
    console.print(f"[bold]throughput[/] {t['last_5m']} in 5 min, {t['last_1h']} in the last hour "
                  f"({t['analyses_total']} total; mean {t['mean_duration_s_1h'] or '-'} s/job)")
    f = s["failures"]
    console.print(f"[bold]failures[/] {f['failed_or_dead_1h']} in the last hour; {f['dead']} dead in all")
    console.print("[bold]releases[/] " + ", ".join(f"{k} {v}" for k, v in sorted(s["releases"].items())))
    if s["feeds"]:
        tab = Table("feed", "cursor", "lag", "last ok", "releases", "errors", "last error")
        for fd in s["feeds"]:
            tab.add_row(fd["feed"], str(fd["cursor"])[:24], _age(fd["lag_s"]), _age(fd["last_ok_age_s"]),
                        str(fd["releases_total"]), str(fd["consecutive_errors"]), (fd["last_error"] or "")[:80])
        console.print(tab)
    for d in s["dead_letters"][:5]:
        console.print(f"[red]dead[/] {d['release']} after {d['attempts']} attempts: {d['reason'][:160]}")


def _age(s: float | None) -> str:
    if s is None:
        return "-"
    if s < 120:
        return f"{s:.0f}s"
    if s < 7200:
        return f"{s / 60:.0f}m"
    return time.strftime("%Hh%Mm", time.gmtime(s)) if s < 86400 else f"{s / 86400:.1f}d"
