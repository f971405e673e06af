"""`pkgtrace serve`: the HTTP API and the web pages over the dataset (index + results store)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from pkgtrace.commands._app import EXIT_USAGE, app, console, fail


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (0.0.0.0 for every interface)."),
    port: int = typer.Option(8080, "--port", "-p", help="Port to listen on."),
    index: Optional[str] = typer.Option(None, "--index", help="Index URL: sqlite:///PATH (default) or postgresql://…"),
    results: Optional[str] = typer.Option(None, "--results", help="Results store: a folder (default ./results) or s3://BUCKET/PREFIX."),
    queue: Optional[str] = typer.Option(None, "--queue", help="Queue URL, for the status page's queue depth."),
    token: Optional[list[str]] = typer.Option(None, "--token", help="An API token that may submit (repeat). Also PKGTRACE_API_TOKENS=a,b."),
    token_file: Optional[Path] = typer.Option(None, "--token-file", help="A file with one API token a line."),
    max_upload_mb: float = typer.Option(64.0, "--max-upload-mb", help="Largest archive an upload may be."),
    upload_mode: str = typer.Option("all", "--upload-mode", help="What uploaded archives get: static, dynamic or all."),
    uploads_dir: Optional[Path] = typer.Option(None, "--uploads-dir", help="Where uploaded archives are kept (default: $PKGTRACE_STATE/uploads)."),
    log_level: str = typer.Option("info", "--log-level", help="debug, info, warning, error."),
) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs) and the web pages."""
    import uvicorn

    from pkgtrace.web import WebSettings, create_app
    if upload_mode not in ("static", "dynamic", "all"):
        raise fail(f"--upload-mode must be static, dynamic or all, not {upload_mode!r}", EXIT_USAGE)
    if not 0 < port < 65536:
        raise fail(f"--port {port} is not a port number", EXIT_USAGE)
    if max_upload_mb <= 0:
        raise fail("--max-upload-mb must be positive", EXIT_USAGE)
    try:
        extra = {"uploads_dir": uploads_dir} if uploads_dir else {}
        settings = WebSettings.from_env(index=index, results=results, queue=queue, tokens=token, token_file=token_file,
                                        max_upload_bytes=int(max_upload_mb * (1 << 20)), upload_mode=upload_mode,
                                        **extra)
    except OSError as e:
        raise fail(f"cannot read the token file: {e}", EXIT_USAGE)
    from pkgtrace.web.server import WebServerError, check_bind
    try:
        check_bind(host, port)
    except WebServerError as e:
        raise fail(str(e))
    try:
        web = create_app(settings)
    except ValueError as e:
        raise fail(str(e), EXIT_USAGE)
    except Exception as e:  # noqa: BLE001 - an unreachable index/store is a clear error
        raise fail(f"cannot open the dataset: {type(e).__name__}: {e}")
    if not settings.tokens:
        console.print("[yellow]no API tokens: submitting and uploads are disabled (reads are public)[/]")
    console.print(f"pkgtrace serve: http://{host}:{port}/  (API docs at /docs)")
    # uvicorn shuts down gracefully on SIGTERM/SIGINT and then re-raises the signal to the handler
    # that was there before it; a quiet one makes a clean stop exit 0, as a service manager expects.
    import signal
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_a: None)
    uvicorn.run(web, host=host, port=port, log_level=log_level, access_log=log_level == "debug")
    console.print("pkgtrace serve: stopped")
