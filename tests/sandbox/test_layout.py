"""How guest drivers are started (sandbox/layout.py): isolated interpreters by absolute path, from
the root-only drivers folder."""

from __future__ import annotations

from pkgtrace.ecosystems import registry_for
from pkgtrace.model import Ecosystem, Package
from pkgtrace.sandbox import layout


def test_every_phase_starts_a_driver_isolated_by_absolute_path():
    for eco in Ecosystem:
        for _name, argv in registry_for(eco).sandbox_phases(Package(eco, "x", "1.0"), "/a/x"):
            # no site folder, no user paths or PYTHON*
            assert argv[:3] == ["/usr/bin/python3", "-I", "-S"], argv
            *launcher, script = [a.rsplit("/", 1)[1] for a in argv if a.startswith(layout.DRIVERS + "/")]
            assert script in ("pypi.py", "npm.js", "npm_execute.py", "gem.py", "composer.py", "crates.py")
            # node's settings go on its stdin by way of nodedriver.py
            assert launcher == (["nodedriver.py"] if script.endswith(".js") else []), argv


def test_pkgtrace_folders_are_out_of_the_package_users_reach():
    for path in (layout.DRIVERS, layout.BAIT, layout.RECORDS):
        assert path.startswith("/root/"), path  # 0700 in the image
    assert "pkgtrace" not in layout.WORKERS + layout.INIT + layout.ARTIFACTS + layout.MIRRORS
    assert "/usr/local/bin" not in layout.SYSTEM_PATH.split(":")


def test_every_folder_the_package_user_can_write_is_walked_for_written_files():
    """written.py lists what changed under layout.WRITABLE after each phase: a folder of the image
    the package user can write to and that is not under one of them would hide its writes."""
    import os
    import stat

    import pytest

    from pkgtrace.sandbox import image

    img = image.current()
    if img is None:
        pytest.skip("no sandbox image built on this machine (pkgtrace sandbox build)")
    root = str(img.rootfs)
    missed = []
    for top, dirs, _files in os.walk(root):
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(top, d))]
        guest = "/" + os.path.relpath(top, root).lstrip(".").lstrip("/")
        if guest.startswith(("/proc", "/sys", "/dev")):
            dirs[:] = []
            continue
        st = os.lstat(top)
        writable = (st.st_uid == layout.UID and st.st_mode & stat.S_IWUSR
                    or st.st_gid == layout.GID and st.st_mode & stat.S_IWGRP
                    or st.st_mode & stat.S_IWOTH)
        if writable and not any(guest == w or guest.startswith(w + "/") for w in layout.WRITABLE):
            missed.append(guest)
    assert missed == []
