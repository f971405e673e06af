from __future__ import annotations

import pytest

from pkgtrace.formats import fails, get_format

from .conftest import make_rows


def test_fail_on_thresholds(rows):
    assert fails(rows, "malicious") and fails(rows, "suspicious") and not fails(rows, None)
    only_suspicious = [r for r in rows if r.status != "malicious"]
    assert not fails(only_suspicious, "malicious") and fails(only_suspicious, "suspicious")
    suppressed = make_rows(suppress={("is-odd", "3.0.1"): "reviewed"})
    assert not fails(suppressed, "malicious") and fails(suppressed, "suspicious")


def test_statuses(rows):
    status = {(r.dependency.name, r.dependency.version): r.status for r in rows}
    assert status[("@isaacs/string-locale-compare", "1.1.0")] == "unknown"
    assert status[("@demo/app", "0.1.0")] == "not-looked-up"  # a workspace: nothing to look up


def test_unknown_format():
    with pytest.raises(ValueError, match="expected one of table, json, sarif, markdown, osv"):
        get_format("xml")
