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
from rich.markup import escape

from pkgtrace.model import Ecosystem

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
    console.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(code)


def parse_ecosystem(text: str) -> Ecosystem:
    """TEXT as an ecosystem; a usage error (exit 2) naming the ones there are otherwise."""
    try:
        return Ecosystem.parse(text)
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE) from None


def _typed_exit_codes() -> list[tuple[type[BaseException], int]]:
    """Library errors that reach the top of a command, by what they mean for a CI job: the input
    was bad (2) or something the command depends on failed (3). Never 1, which means findings."""
    from pkgtrace.ecosystems.interface import RegistryError
    from pkgtrace.eval.corpus import CorpusError
    from pkgtrace.extras import MissingExtra
    from pkgtrace.feeds.interface import FeedError
    from pkgtrace.lockfiles.interface import LockfileError
    from pkgtrace.pipeline.notify.interface import NotifyError
    from pkgtrace.pipeline.queues.interface import QueueError
    from pkgtrace.results.index.db import IndexError_
    from pkgtrace.results.documents import DocumentError
    from pkgtrace.results.stores.interface import StoreError
    from pkgtrace.sandbox.image import ImageError
    from pkgtrace.sandbox.netsim.namespaces import NetworkError
    from pkgtrace.sandbox.runsc import SandboxError
    from pkgtrace.verdict.rules import RuleError
    from pkgtrace.verdict.suppressions import SuppressionError
    from pkgtrace.verify.interface import DatasetError
    return [(LockfileError, EXIT_USAGE), (CorpusError, EXIT_USAGE), (DocumentError, EXIT_USAGE),
            (RuleError, EXIT_USAGE), (SuppressionError, EXIT_USAGE),
            (SandboxError, EXIT_FAILURE), (ImageError, EXIT_FAILURE), (NetworkError, EXIT_FAILURE),
            (RegistryError, EXIT_FAILURE), (FeedError, EXIT_FAILURE), (QueueError, EXIT_FAILURE),
            (StoreError, EXIT_FAILURE), (IndexError_, EXIT_FAILURE), (NotifyError, EXIT_FAILURE),
            (DatasetError, EXIT_FAILURE), (MissingExtra, EXIT_FAILURE)]


def main() -> None:
    """The `pkgtrace` entry point: the app, with the exit-code policy above applied once to any
    typed error a command did not handle itself (an untyped one is a bug: its traceback shows)."""
    try:
        app()
    except Exception as e:  # noqa: BLE001 - re-raised unless typed
        for kind, code in _typed_exit_codes():
            if isinstance(e, kind):
                console.print(f"[bold red]error:[/] {escape(str(e))}", highlight=False)
                raise SystemExit(code) from None
        raise


def exit_cleanly_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C (exit 143), so that `finally` blocks take down the sandbox,
    its namespaces and folders instead of leaving them to the next `sandbox gc`."""
    def handler(signum, _frame):
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, handler)
