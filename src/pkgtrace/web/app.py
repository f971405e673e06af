"""The app factory: API under /api (OpenAPI at /openapi.json, docs at /docs), pages at /,
static files at /static. One process serves both; reads are public, submitting needs a token."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from pathlib import Path

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from pkgtrace.api.responses import Error
from pkgtrace.results.stores import StoreError
from pkgtrace.web import views
from pkgtrace.web.limits import BodyLimit
from pkgtrace.web.services import Services
from pkgtrace.web.settings import WebSettings
from pkgtrace.web.uploads import UploadError

log = logging.getLogger("pkgtrace.web")

STATIC = Path(__file__).parent / "pages" / "static"


def create_app(settings: WebSettings | None = None, *, services: Services | None = None) -> FastAPI:
    svc = services or Services.open(settings or WebSettings.from_env())

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        svc.start_workers()
        try:
            yield
        finally:
            svc.close()

    app = FastAPI(title="pkgtrace", version="1", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="What package releases do when installed, imported and run: verdicts, findings, "
                              "behaviour by phase (OSSF package-analysis shaped documents), diffs between releases. "
                              "Reading is public; submitting releases or archives needs an API token.")
    app.state.services = svc

    from pkgtrace.web.api import router as api_router
    from pkgtrace.web.pages.routes import router as pages_router
    app.include_router(api_router())
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    _docs(app)
    # Bodies bounded before any parser reads them.
    app.add_middleware(BodyLimit, limits={("POST", "/api/uploads"): svc.settings.max_upload_bytes,
                                          ("POST", "/api/verify"): svc.settings.max_lockfile_bytes})
    _errors(app)
    return app


def _docs(app: FastAPI) -> None:
    """Swagger UI (5.x, which reads OpenAPI 3.1) from the swagger-ui-py wheel's static files, not
    FastAPI's default CDN: /docs must work where the browser has no internet."""
    import importlib.util

    from fastapi.openapi.docs import get_swagger_ui_html

    spec = importlib.util.find_spec("swagger_ui")  # its files only; the module wires other frameworks
    assets = Path(spec.submodule_search_locations[0]) / "static"
    app.mount("/docs-assets", StaticFiles(directory=str(assets)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url=app.openapi_url, title="pkgtrace API",
                                   swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                                   swagger_css_url="/docs-assets/swagger-ui.css",
                                   swagger_favicon_url="/docs-assets/favicon-32x32.png")


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/openapi", "/static/", "/docs-assets/"))


def _answer(request: Request, status: int, message, title: str, headers: dict | None = None):
    if _wants_html(request):
        from pkgtrace.web.pages.routes import page
        return page(request, "error.html", status_code=status, title=title, message=message,
                    code=status)
    return error_json(message, status, headers)


def error_json(detail, status: int, headers: dict | None = None) -> JSONResponse:
    """An API error body (api.responses.Error, with its schema_version)."""
    return JSONResponse(Error(detail=detail).model_dump(mode="json"), status_code=status, headers=headers)


def _errors(app: FastAPI) -> None:
    @app.exception_handler(views.NotFound)
    async def not_found(request: Request, e: views.NotFound):
        return _answer(request, 404, str(e), "Not found")

    @app.exception_handler(views.BadRequest)
    async def bad_request(request: Request, e: views.BadRequest):
        return _answer(request, 422, str(e), "Invalid request")

    @app.exception_handler(UploadError)
    async def upload_error(request: Request, e: UploadError):
        return error_json(e.message, e.status)

    @app.exception_handler(StoreError)
    async def store_down(request: Request, e: StoreError):
        log.warning("results store: %s", e)
        return _answer(request, 503, f"the results store is unavailable: {e}", "Unavailable")

    @app.exception_handler(sa.exc.OperationalError)
    async def index_down(request: Request, e: sa.exc.OperationalError):
        log.warning("index: %s", e)
        return _answer(request, 503, "the index is unavailable", "Unavailable")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, e: StarletteHTTPException):
        if _wants_html(request) and e.status_code == 404:
            return _answer(request, 404, "There is no such page.", "Not found")
        return error_json(e.detail, e.status_code, getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, e: RequestValidationError):
        if _wants_html(request):
            msg = "; ".join(f"{'.'.join(str(x) for x in err.get('loc', [])[1:])}: {err.get('msg')}" for err in e.errors())
            return _answer(request, 422, msg or "invalid request", "Invalid request")
        from fastapi.encoders import jsonable_encoder
        return error_json(jsonable_encoder(e.errors()), 422)
