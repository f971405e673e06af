"""One analysis in its own process (`python -m pkgtrace.pipeline.child REQUEST.json OUT.json`).

The worker runs every analysis in a child so that nothing an analysis does (a crash, a hang,
memory exhaustion) takes the worker down. Exit 0: OUT holds {"package", "documents"}; exit 2: a
permanent failure (unknown package, unsupported ecosystem: retrying will not help); exit 3: a
transient one. OUT then holds {"error"}."""

from __future__ import annotations

import importlib
import json
import os
import sys
import traceback

EXIT_PERMANENT, EXIT_TRANSIENT = 2, 3

_PERMANENT_HINTS = ("not found", "not supported", "has no version", "has no versions", "has no files",
                    "no such file", "no 'latest' tag", "not a readable", "cannot tell the name")


def load_analyzer(spec: str):
    """'package.module:function' → the function."""
    mod, _, fn = spec.partition(":")
    return getattr(importlib.import_module(mod), fn or "analyze")


def is_permanent(e: BaseException) -> bool:
    from pkgtrace.ecosystems import RegistryError
    if isinstance(e, (ImportError, ValueError, FileNotFoundError)) and not isinstance(e, UnicodeError):
        return True
    return isinstance(e, RegistryError) and any(h in str(e).lower() for h in _PERMANENT_HINTS)


def _write(path: str, doc: dict) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f, default=str)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    req_path, out_path = argv[1], argv[2]
    with open(req_path) as f:
        req = json.load(f)
    try:
        from pkgtrace.analysis import AnalysisRequest
        from pkgtrace.model import Ecosystem
        analyzer = load_analyzer(req.get("analyzer") or "pkgtrace.analysis:analyze")
        from pathlib import Path
        # "local": an archive on disk (uploads through the web API) instead of a registry release.
        request = AnalysisRequest(Ecosystem(req["ecosystem"]), req.get("name"), req.get("version"),
                                  local=Path(req["local"]) if req.get("local") else None, mode=req["mode"])
        outcome = analyzer(request, progress=lambda m: print(f"[{req.get('name') or req.get('local')}] {m}", file=sys.stderr, flush=True))
        p = outcome.package
        _write(out_path, {"package": {"ecosystem": p.ecosystem.value, "name": p.name, "version": p.version},
                          "documents": outcome.documents})
        return 0
    except BaseException as e:  # noqa: BLE001 - everything is reported to the worker, then we exit
        traceback.print_exc(file=sys.stderr)
        _write(out_path, {"error": f"{type(e).__name__}: {e}", "permanent": is_permanent(e)})
        return EXIT_PERMANENT if is_permanent(e) else EXIT_TRANSIENT


if __name__ == "__main__":
    sys.exit(main(sys.argv))
