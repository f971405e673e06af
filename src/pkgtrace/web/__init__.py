"""HTTP API (FastAPI, OpenAPI at /openapi.json) and server-rendered pages over the dataset."""

from pkgtrace.web.app import create_app
from pkgtrace.web.settings import WebSettings

__all__ = ["create_app", "WebSettings"]
