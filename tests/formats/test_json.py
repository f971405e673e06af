from __future__ import annotations

import json

from pkgtrace.formats import get_format


def test_json_document(rows, ctx):
    doc = json.loads(get_format("json").render(rows, ctx))
    assert doc["schema_version"] == "pkgtrace-verify/1"
    assert doc["summary"] == {"total": 7, "malicious": 1, "suspicious": 2, "benign": 2, "unknown": 1,
                              "not-looked-up": 1, "suppressed": 0}
    statuses = [r["status"] for r in doc["results"]]
    assert statuses == ["malicious", "suspicious", "suspicious", "unknown", "benign", "benign",
                        "not-looked-up"]  # worst first
    first = doc["results"][0]
    assert first["dependency"]["name"] == "is-odd" and first["dependency"]["line"] > 0
    assert first["release"]["findings"][0]["evidence"]["ip"] == "203.0.113.7"
    assert doc["lockfiles"] == list(ctx.lockfiles) and doc["dataset"] == ctx.dataset
    # a finding without a content hash is written without the key, as verify always wrote it
    assert "hash" not in first["release"]["findings"][0] and first["release"]["analyzed"] is not None
    assert doc["results"][3]["release"] is None and doc["results"][3]["suppressed"] is None
