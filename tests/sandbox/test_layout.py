"""How guest drivers are started (sandbox/layout.py): isolated interpreters by absolute path, from
the root-only drivers folder."""

from __future__ import annotations

from pkgtrace.ecosystems import registry_for
from pkgtrace.model import Ecosystem, Package
from pkgtrace.sandbox import layout


def test_every_phase_starts_a_driver_isolated_by_absolute_path():
    for eco in Ecosystem:
        for _name, argv in registry_for(eco).sandbox_phases(Package(eco, "x", "1.0"), "/a/x"):
            assert argv[0] in ("/usr/bin/python3", "/usr/bin/node"), argv
            if argv[0] == "/usr/bin/python3":
                assert argv[1:3] == ["-I", "-S"], argv  # no site folder, no user paths or PYTHON*
            script = next(a for a in argv if a.startswith(layout.DRIVERS + "/"))
            assert script.rsplit("/", 1)[1] in ("pypi.py", "npm.js", "npm_execute.py", "gem.py",
                                                "composer.py", "crates.py")


def test_pkgtrace_folders_are_out_of_the_package_users_reach():
    for path in (layout.DRIVERS, layout.BAIT, layout.RECORDS):
        assert path.startswith("/root/"), path  # 0700 in the image
    assert "pkgtrace" not in layout.WORKERS + layout.INIT + layout.ARTIFACTS + layout.MIRRORS
    assert "/usr/local/bin" not in layout.SYSTEM_PATH.split(":")
