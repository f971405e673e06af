"""Nothing the package can see names the analyser (issue 11, item 5): a package that looks
through its whole visible world at install, import and execute (fixtures/packages/pypi_giveaways:
environment, /proc/*/{environ,cmdline,comm,mountinfo,cgroup,maps}, every readable file and name
outside the distribution's own /usr trees, the network's answer to a download, and the arguments
the execute phase passes it) finds only the canary file it wrote itself."""

from __future__ import annotations

import pytest

from builders import giveaways_pypi
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def phases(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("giveaways")
    docs = run_cli_json("analyze", "pypi", "--local", str(giveaways_pypi(tmp / "dist")), "--mode", "dynamic",
                        "--results", str(tmp / "results"), "--timeout", "240")
    return docs["report"]["dynamic"]["phases"]


def _seen(phases: dict, phase: str) -> list[str]:
    written = {w["path"]: w for w in phases[phase]["written_files"]}
    report = written[f"/var/tmp/seen-{phase}.txt"]
    assert report["state"] == "present", report
    return report["head_text"].splitlines()


@pytest.mark.parametrize("phase", ["install", "import", "execute"])
def test_the_package_finds_nothing_naming_the_analyser(phases, phase):
    seen = _seen(phases, phase)
    # the self-check: the probe does find the name where it put it (so "nothing" means nothing)
    assert f"/var/tmp/canary-{phase}.txt" in seen, seen
    assert [s for s in seen if not s.startswith("/var/tmp/canary-")] == [], seen
