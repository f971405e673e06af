"""`pkgtrace eval` counts the dynamic phases that did not complete by why they stopped (a
timeout, a sandbox that died, the package's own crash), per side and world, and the releases
that got no verdict at all by error kind: where the dynamic pass loses releases, in numbers.

The reports below have the shape dynamic/run.py stores (status, and a reason whose head is the
host's own words, followed by whatever the guest driver recorded)."""

from __future__ import annotations

from pkgtrace.api.report import Report
from pkgtrace.eval.reach import of_report
from pkgtrace.eval.summary import summarize


def _phase(status: str, reason: str) -> dict:
    return {"status": status, "reason": reason}


def _report(phases: dict, worlds: dict | None = None) -> Report:
    limits = {"phase_seconds": 60, "memory_bytes": 1 << 30, "processes": 64, "disk_bytes": 1 << 30}
    return Report.model_validate({
        "package": {"ecosystem": "pypi", "name": "x", "version": "1"},
        "artifact": {"filename": "x-1.tar.gz", "sha256": "0" * 64}, "created": 0,
        "dynamic": {"sandbox": {"image": "test", "limits": limits}, "phases": phases,
                    **({"worlds": worlds} if worlds else {})}})


def _result(side: str, name: str, reach: dict | None, error: str | None = None) -> dict:
    return {"side": side, "ecosystem": "pypi", "name": name, "version": "1", "label": None if error else "benign",
            "rules": [], "reach": reach, "error": error, "seconds": 1.0}


def test_unfinished_phases_and_missing_verdicts_are_counted_by_cause():
    timeout = of_report(_report({
        "install": _phase("completed", "exit 0"),
        "import": _phase("completed", "exit 0"),
        "execute": _phase("error_timeout", "wall-time limit reached; process limit reached (3 forks refused)"),
    }, worlds={"later": {"phases": {"import": _phase("completed", "exit 0"),
                                     "execute": _phase("error_other", "the sandbox stopped during the phase")}}}))
    crash = of_report(_report({
        "install": _phase("completed", "exit 0"),
        "import": _phase("error_analysis", "exit 1"),
        "execute": _phase("error_analysis", "exit 3: the execute worker exited 2 before listing its steps"),
    }))
    assert timeout["unfinished"] == {"execute": "error_timeout: wall-time limit reached",
                                     "execute@later": "error_other: the sandbox stopped during the phase"}
    s = summarize([_result("benign", "slow", timeout), _result("benign", "crashy", crash),
                   _result("benign", "gone", None, "FetchError: pypi: no release of gone"),
                   _result("malicious", "dead", None, "worker failed: BrokenProcessPool: a child died")])
    assert s["payload_reach"]["benign"]["unfinished"] == {
        "execute error_timeout: wall-time limit reached": 1,
        "execute@later error_other: the sandbox stopped during the phase": 1,
        "import error_analysis: exit 1": 1,
        "execute error_analysis: exit 3": 1,
    }
    assert s["errors_by_kind"] == {"FetchError": 1, "worker failed: BrokenProcessPool": 1}


def test_text_the_package_controls_does_not_choose_the_counted_cause():
    # The tail of a reason can carry the driver's note about the package's own output; only the
    # host's head is counted, so a crash cannot pass for a timeout (or hide among "completed").
    forged = of_report(_report({
        "install": _phase("completed", "exit 0"),
        "import": _phase("error_analysis", "exit 1: wall-time limit reached; the sandbox stopped"),
        "execute": _phase("error_analysis", ""),
    }))
    assert forged["unfinished"] == {"import": "error_analysis: exit 1",
                                    "execute": "error_analysis: no reason given"}


def test_results_stored_before_the_count_still_summarise():
    old = {"phases": {"install": "completed"}, "fallback": None, "fallback_why": "", "worlds": {},
           "dynamic_rules": [], "world_rules": []}
    s = summarize([_result("benign", "old", old)])
    assert s["payload_reach"]["benign"]["unfinished"] == {} and s["errors_by_kind"] == {}
