"""The API against its own OpenAPI document: schemathesis generates valid and invalid requests for
every operation and checks every answer (no server errors, documented status codes, content types
and response schemas, auth enforced where declared)."""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from webtest_support import TOKEN


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    from pkgtrace.results.index import open_index
    from pkgtrace.results.stores.local import LocalStore
    from pkgtrace.web import WebSettings, create_app
    from webtest_fixtures import seed
    tmp = tmp_path_factory.mktemp("schemathesis")
    idx = open_index(f"sqlite:///{tmp / 'index.db'}")
    seed(idx, LocalStore(tmp / "results"))
    idx.close()
    # Uploads that pass validation are queued but never analysed here: no upload workers start
    # outside the app's lifespan, which schemathesis' ASGI transport does not run.
    app = create_app(WebSettings(index_url=f"sqlite:///{tmp / 'index.db'}", results_url=str(tmp / "results"),
                                 queue_url=f"sqlite:///{tmp / 'queue.db'}", tokens=[TOKEN],
                                 uploads_dir=tmp / "uploads", max_upload_bytes=64 * 1024, upload_mode="static"))
    yield app
    app.state.services.close()


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_asgi("/openapi.json", api_app)


schema = schemathesis.pytest.from_fixture("api_schema")


# What an archive or a lockfile must contain cannot be said in JSON Schema: a schema-valid upload
# of random bytes is rightly refused (422). Only there is "valid data is accepted" not checked.
CONTENT_VALIDATED = {("POST", "/api/uploads"), ("POST", "/api/verify")}


# Repeatable by default (CI); PKGTRACE_FUZZ_RANDOM=1 PKGTRACE_FUZZ_EXAMPLES=200 explores further.
@schema.parametrize()
@settings(max_examples=int(os.environ.get("PKGTRACE_FUZZ_EXAMPLES", "15")), deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=not os.environ.get("PKGTRACE_FUZZ_RANDOM"))
def test_api_conforms_to_its_openapi_document(case):
    excluded = [positive_data_acceptance] if (case.method.upper(), case.path) in CONTENT_VALIDATED else []
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"}, excluded_checks=excluded)
