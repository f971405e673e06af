"""`pkgtrace sandbox build|status|gc`."""

from __future__ import annotations

import shutil

import typer

from pkgtrace.commands._app import EXIT_FAILURE, app, console, emit_json, fail
from pkgtrace.sandbox import image as image_mod

sandbox_app = typer.Typer(no_args_is_help=True, help="The gVisor sandbox and its image.")
app.add_typer(sandbox_app, name="sandbox")


@sandbox_app.command("build")
def build(force: bool = typer.Option(False, "--force", help="Rebuild even if cached"),
          json_out: bool = typer.Option(False, "--json")) -> None:
    """Build the sandbox image (a Debian rootfs with the five ecosystems' toolchains)."""
    try:
        if console.is_terminal:
            with console.status("building sandbox image") as status:
                img = image_mod.build(lambda m: status.update(f"mmdebstrap: {m}"), force=force)
        else:  # a log (CI): one line per step instead of a spinner nobody sees
            img = image_mod.build(lambda m: console.print(f"mmdebstrap: {m}", highlight=False), force=force)
    except image_mod.ImageError as e:
        raise fail(str(e), EXIT_FAILURE)
    if json_out:
        emit_json({"key": img.key, "rootfs": str(img.rootfs)})
    else:
        console.print(f"image {img.key} at {img.rootfs}")


@sandbox_app.command("status")
def status(json_out: bool = typer.Option(False, "--json")) -> None:
    """Is everything the sandbox needs here?"""
    img = image_mod.current()
    doc = {"runsc": shutil.which("runsc"), "mmdebstrap": shutil.which("mmdebstrap"),
           "nft": shutil.which("nft"), "image": str(img.rootfs) if img else None,
           "image_key": image_mod.recipe_key()}
    if json_out:
        emit_json(doc)
    else:
        for k, v in doc.items():
            console.print(f"{k:12} {v or '[red]missing[/]'}")
    if not all(doc[k] for k in ("runsc", "nft", "image")):
        raise typer.Exit(EXIT_FAILURE)


@sandbox_app.command("gc")
def gc(json_out: bool = typer.Option(False, "--json")) -> None:
    """Remove what killed runs left (containers, namespaces, folders, static scratch) and old images."""
    from pkgtrace.sandbox.runsc import reap_stale
    from pkgtrace.static.analyze import remove_stale_scratch
    removed = reap_stale() + image_mod.remove_stale() + remove_stale_scratch()
    if json_out:
        emit_json({"removed": removed})
    else:
        console.print(f"removed {len(removed)}: {' '.join(removed)}")
