"""One module per command group; each registers itself on the shared Typer app in `_app`."""
