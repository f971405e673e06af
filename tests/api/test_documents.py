"""The verify and OSV documents pkgtrace writes validate against their published schemas."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from formats.conftest import LOCKFILE, make_rows
from pkgtrace.formats import RenderContext
from pkgtrace.formats.json import FORMAT as JSON_FORMAT
from pkgtrace.formats.osv import FORMAT as OSV_FORMAT
from pkgtrace.formats.osv import MaliciousRelease, report_for
from pkgtrace.formats import ReleaseRecord
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
    rec = ReleaseRecord.from_dict({"label": "malicious", "score": 99.0, "analyzed": "2026-11-20T10:00:00Z",
                                   "findings": [{"rule": "R", "severity": "high", "message": "m",
                                                 "evidence": {"url": "http://evil.example/x"}}]})
    group = [MaliciousRelease(Package(Ecosystem.NPM, "evil", "1.0.0"), rec)]
    v = _validator("osv-1.6.0.schema.json")
    for submission in (False, True):
        v.validate(report_for(group, submission=submission))
    rows = make_rows()
    for report in json.loads(OSV_FORMAT.render(rows, RenderContext())):
        v.validate(report)


def test_a_record_finding_that_is_not_one_is_refused():
    with pytest.raises(ValueError, match="severity"):
        ReleaseRecord.from_dict({"label": "malicious", "score": 1,
                                 "findings": [{"rule": "R", "severity": "apocalyptic"}]})
    with pytest.raises(ValueError, match="rule id"):
        ReleaseRecord.from_dict({"label": "malicious", "score": 1, "findings": [{"severity": "low"}]})
