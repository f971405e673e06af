"""Nothing the package can see names the analyser (issue 11, item 5).

PyPI: a package that looks through its whole visible world at install, import and execute
(fixtures/packages/pypi_giveaways: environment, /proc/*/{environ,cmdline,comm,mountinfo,cgroup,maps},
every readable file and name outside the distribution's own /usr trees, the network's answer to a
download, and the arguments the execute phase passes it) finds only the canary file it wrote itself.

npm: a package (fixtures/packages/npm_giveaways) that reads the clock and requires a module that is
not there, so that the "later" world's moved clock and stand-ins are in force in both Node entry
points (npm.js's import, node_worker.js's execute), looks through its environment, its stdin and
/proc/*/{environ,cmdline,comm} of every process it may read for the analyser's name or its settings
for Node, and finds only the canary process it started itself."""

from __future__ import annotations

import datetime

import pytest

from builders import giveaways_npm, giveaways_pypi
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox


def _analyze(ecosystem: str, build, tmp) -> dict:
    docs = run_cli_json("analyze", ecosystem, "--local", str(build(tmp / "dist")), "--mode", "dynamic",
                        "--results", str(tmp / "results"), "--timeout", "240")
    return docs["report"]["dynamic"]


@pytest.fixture(scope="module")
def phases(tmp_path_factory):
    return _analyze("pypi", giveaways_pypi, tmp_path_factory.mktemp("giveaways"))["phases"]


@pytest.fixture(scope="module")
def npm_dynamic(tmp_path_factory):
    return _analyze("npm", giveaways_npm, tmp_path_factory.mktemp("giveaways-npm"))


def _written(section: dict, path: str) -> str:
    """The first KiB of the file the package wrote at PATH in the phase SECTION."""
    report = {w["path"]: w for w in section["written_files"]}[path]
    # with the collector's summary: a walk that failed or was cut lists nothing it did not reach
    assert report["state"] == "present", (report, section.get("written_summary"))
    return report["head_text"]


def _seen(phases: dict, phase: str) -> list[str]:
    return _written(phases[phase], f"/var/tmp/seen-{phase}.txt").splitlines()


@pytest.mark.parametrize("phase", ["install", "import", "execute"])
def test_the_package_finds_nothing_naming_the_analyser(phases, phase):
    seen = _seen(phases, phase)
    # the self-check: the probe does find the name where it put it (so "nothing" means nothing)
    assert f"/var/tmp/canary-{phase}.txt" in seen, seen
    assert [s for s in seen if not s.startswith("/var/tmp/canary-")] == [], seen


def _world(dyn: dict, world: str) -> dict:
    return dyn["phases"] if world == "base" else dyn["worlds"][world]["phases"]


@pytest.mark.parametrize("world,phase", [("base", "install"), ("base", "import"), ("base", "execute"),
                                         ("later", "import"), ("later", "execute")])
def test_a_node_package_finds_nothing_of_the_analyser_or_its_settings(npm_dynamic, world, phase):
    seen = _seen(_world(npm_dynamic, world), phase)
    # the self-check: a process it started with the name in its environment and arguments is seen
    assert {"canary environ", "canary cmdline"} <= set(seen), seen
    assert [s for s in seen if not s.startswith("canary ")] == [], seen


def _date(section: dict, phase: str) -> datetime.datetime:
    stamp = _written(section, f"/var/tmp/date-{phase}.txt").strip()  # Date#toISOString()
    return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def test_the_node_settings_it_did_not_see_were_in_force(npm_dynamic):
    # where it looked, the later world's clock was moved (weeks ahead of the base world's) and its
    # require of a missing module was answered by a stand-in, in both entry points: the execute
    # worker could only load it (and it only looked) with its stand-in
    base, later = _world(npm_dynamic, "base"), _world(npm_dynamic, "later")
    real = _date(base["import"], "import")
    assert _date(base["execute"], "execute") - real < datetime.timedelta(days=1)
    for phase in ("import", "execute"):
        assert _date(later[phase], phase) - real > datetime.timedelta(days=28), phase
    assert npm_dynamic["worlds"]["later"]["clock_shift_days"] >= 28
    for phases in (base, later):
        assert phases["import"]["standins"] == ["colour-scheme-helpers"], phases["import"]
        assert phases["execute"]["status"] == "completed", phases["execute"]
