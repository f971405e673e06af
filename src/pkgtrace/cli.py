"""`pkgtrace …`: the one entry point. Commands stay thin; the work lives in the packages."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False,
                  help="Detonate package releases in gVisor, analyse them statically, score them.")
sandbox_app = typer.Typer(no_args_is_help=True, help="The gVisor sandbox and its image.")
app.add_typer(sandbox_app, name="sandbox")


if __name__ == "__main__":
    app()
