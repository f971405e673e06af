"""The rules read the report through its published model (api/): a stored report of an older
version is judged as the current one, the model analysis builds is judged without a JSON round
trip, and a record whose type the schema does not allow is refused with where, never read as
something else (a string "false" is not a false, a list is not a path)."""

from __future__ import annotations

import copy

import pytest

from pkgtrace.api.read import upgrade_report
from pkgtrace.results.documents import DocumentError
from pkgtrace.verdict import judge
from pkgtrace.verdict.evidence import gather
from results.fixture_docs import report_doc, static_section

from .test_dynamic_rules import recorded


def _verdict(docs: dict) -> tuple[str, list[str]]:
    v = judge(docs, suppressions=[])
    return v["label"], v["rules_fired"]


def test_the_model_its_json_and_a_version_0_report_are_judged_alike():
    docs = recorded("dynamic-pypi-behaviour.json")
    del docs["dynamic"]  # the report section alone
    as_json = _verdict(docs)
    assert as_json[0] == "malicious"
    assert _verdict({"report": upgrade_report(docs["report"])}) == as_json
    old = copy.deepcopy(docs["report"])
    for key in ("schema_version", "created"):
        old.pop(key, None)
    assert _verdict({"report": old}) == as_json


@pytest.mark.parametrize("where, value", [
    (("files", 0, "read"), "yes please"),            # a flag that is not one
    (("file_events", None, None), [{"op": "chmod", "path": ["/tmp/x"], "executable": True}]),
    (("failed", None, None), [{"syscall": "execve", "errno": "ENOENT"}]),
    (("network", None, None), [{"kind": "tcp", "port": "eighty", "dst": "198.18.0.9"}]),
])
def test_a_record_of_the_wrong_type_is_refused_with_where(where, value):
    docs = recorded("dynamic-pypi-behaviour.json")
    del docs["dynamic"]
    phase = docs["report"]["dynamic"]["phases"]["install"]
    key, index, field = where
    if index is None:
        phase[key] = value
    else:
        phase[key][index][field] = value
    with pytest.raises(DocumentError, match=rf"dynamic\.phases\.install\.{key}\."):
        judge(docs, suppressions=[])


def test_an_extraction_problem_is_a_fact_of_its_own_kind():
    # a traversal entry, as static/extract.py reports it; its own kind must not replace the fact's
    static = static_section()
    static["extraction"]["errors"] = [{"kind": "traversal", "path": "../../etc/cron.d/x",
                                       "message": "entry escapes the archive root: skipped"}]
    ev = gather({"report": {**report_doc(), "verdict": None, "static": static}})
    (fact,) = ev.of("extraction_error")
    assert fact["problem"] == "traversal" and fact["path"] == "../../etc/cron.d/x"
