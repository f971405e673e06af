"""The verify and OSV documents pkgtrace writes validate against their published schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from formats.conftest import LOCKFILE, make_rows, record
from pkgtrace.formats import RenderContext
from pkgtrace.formats.json import FORMAT as JSON_FORMAT
from pkgtrace.formats.osv import FORMAT as OSV_FORMAT
from pkgtrace.formats.osv import MaliciousRelease, report_for
from pkgtrace.model import Ecosystem, Package

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / name).read_text()))


def test_verify_json_output_validates():
    rows = make_rows({("ms", "2.1.2"): "vendored and reviewed"})
    doc = json.loads(JSON_FORMAT.render(rows, RenderContext(lockfiles=(str(LOCKFILE),), dataset="d")))
    _validator("pkgtrace-verify-1.schema.json").validate(doc)
    assert any(r["status"] == "malicious" for r in doc["results"])
    doc["results"][0]["status"] = "fine"   # a status no consumer knows
    with pytest.raises(jsonschema.ValidationError):
        _validator("pkgtrace-verify-1.schema.json").validate(doc)


def test_osv_reports_validate_in_both_shapes():
    rec = record("malicious", 99.0, analyzed="2026-11-20T10:00:00Z",
                 findings=[{"rule": "R", "severity": "high", "message": "m", "evidence": {"url": "http://evil.example/x"}}])
    group = [MaliciousRelease(Package(Ecosystem.NPM, "evil", "1.0.0"), rec)]
    v = _validator("osv-1.6.0.schema.json")
    for submission in (False, True):
        v.validate(report_for(group, submission=submission))
    rows = make_rows()
    for report in json.loads(OSV_FORMAT.render(rows, RenderContext())):
        v.validate(report)


def test_a_record_finding_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="severity"):
        record("malicious", 1, findings=[{"rule": "R", "severity": "apocalyptic", "message": "m"}])
    with pytest.raises(ValueError, match="rule"):
        record("malicious", 1, findings=[{"severity": "low", "message": "m"}])


def test_findings_as_earlier_versions_wrote_them_still_load():
    """The one RecordFinding reads what verify, the OSV export and the API wrote before it: the
    hash inside `evidence` (verify, OSV) or a null one (the API, for index rows)."""
    from pkgtrace.api import VerifyDocument
    from pkgtrace.api.responses import ReleaseDetail
    verify_doc = json.loads(JSON_FORMAT.render(make_rows(), RenderContext(lockfiles=(str(LOCKFILE),))))
    row = next(r for r in verify_doc["results"] if r["release"] and r["release"]["findings"])
    for f in row["release"]["findings"]:  # the earlier shape: no `hash`, the hash in the evidence
        f.pop("hash", None)
        f["evidence"]["hash"] = "ab" * 32
    VerifyDocument.model_validate(verify_doc)
    _validator("pkgtrace-verify-1.schema.json").validate(verify_doc)
    ref = {"ecosystem": "npm", "name": "x", "version": "1", "state": "done", "url": "/r", "api_url": "/a"}
    answer = {"schema_version": "pkgtrace-api/1", "release": ref, "url": "http://h/r", "attempts": 1,
              "documents": {}, "findings": [{"rule": "R", "severity": "high", "message": "m",
                                             "evidence": {"file": "x.js"}, "hash": None}]}
    assert ReleaseDetail.model_validate(answer).findings[0].rule == "R"
    _validator("api-release-detail.schema.json").validate(answer)
