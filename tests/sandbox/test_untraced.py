"""Sandbox.untraced: the trace is off for a control step only while no process of the package
exists, and on again after it. A process that outlived the phase keeps the trace on."""

from __future__ import annotations

import pytest

from pkgtrace.sandbox import image as image_mod
from pkgtrace.sandbox.runsc import Limits, Sandbox

pytestmark = pytest.mark.sandbox

STATS = ["python3", "-I", "-S", "-c", "import os\nfor i in range(2000): os.stat('/etc/passwd')"]


@pytest.fixture(scope="module")
def sb():
    with Sandbox(image_mod.ensure(), [], Limits()) as sandbox:
        yield sandbox


def _log_growth(sb: Sandbox) -> int:
    before = sb.log_bytes()
    assert sb.exec(STATS, control=True, timeout=120).exit_code == 0
    return sb.log_bytes() - before


def test_with_only_init_left_the_step_is_untraced_and_the_trace_comes_back(sb):
    traced = _log_growth(sb)
    assert traced > 2000 * 200  # each stat is a line of a few hundred bytes
    with sb.untraced() as off:
        assert off
        assert _log_growth(sb) < traced / 100
    assert _log_growth(sb) > traced / 2


def test_a_process_that_outlived_its_phase_keeps_the_trace_on(sb):
    # an orphan, as a daemon the package left would be: untraced() must not blind the trace to it
    assert sb.exec(["/bin/sh", "-c", "sleep 600 > /dev/null 2>&1 &"], control=True, timeout=60).exit_code == 0
    try:
        assert any(p.pid != 1 for p in sb.processes())
        with sb.untraced() as off:
            assert not off
            assert _log_growth(sb) > 2000 * 200
    finally:
        sb.kill_all()
    assert all(p.pid == 1 for p in sb.processes())
