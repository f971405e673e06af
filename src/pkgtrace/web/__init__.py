"""HTTP API (FastAPI, OpenAPI at /openapi.json) and server-rendered pages over the dataset.

Imported lazily: `pkgtrace up` without --web-port never loads the web framework."""

from __future__ import annotations

__all__ = ["create_app", "WebSettings"]


def __getattr__(name: str):
    if name == "create_app":
        from pkgtrace.web.app import create_app
        return create_app
    if name == "WebSettings":
        from pkgtrace.web.settings import WebSettings
        return WebSettings
    raise AttributeError(name)
