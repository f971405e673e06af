"""The shared Typer app and the conventions every command follows.

Exit codes: 0 success; 1 the command worked and found what --fail-on asked about;
2 usage or input error; 3 a registry, sandbox or service failed.
"""

from __future__ import annotations

import json
import signal
import sys
from typing import Any

import typer
from rich.console import Console

app = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
                  help="Detonate package releases in gVisor, analyse them statically, score them.")

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_FAILURE = 0, 1, 2, 3

console = Console(stderr=True)  # progress and summaries; stdout stays clean for --json


@app.callback()
def _global_options(
    data_dir: str = typer.Option(None, "--data-dir", envvar="PKGTRACE_DATA", show_default=False,
                                 help="Where results and the local dataset live (default: "
                                 "$XDG_DATA_HOME/pkgtrace, i.e. ~/.local/share/pkgtrace)."),
) -> None:
    if data_dir:
        import os
        os.environ["PKGTRACE_DATA"] = data_dir  # config.data_dir() and child processes read it


def emit_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, indent=2, sort_keys=False, default=str) + "\n")


def fail(message: str, code: int = EXIT_FAILURE) -> "typer.Exit":
    console.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def exit_cleanly_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (exit 143), so that `finally` blocks take down the sandbox,
    its namespaces and folders instead of leaving them to the next `sandbox gc`."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
