"""Bait that looks lived-in (sandbox/bait.py): distinct keys, months-old dates, the package user's
own files among ordinary ones; and values that are unique to the run."""

from __future__ import annotations

import os
import time

from pkgtrace.sandbox import bait, layout


def test_keys_are_distinct_and_real():
    b = bait.fresh()
    rsa, ed = b.files[f"{layout.HOME}/.ssh/id_rsa"], b.files[f"{layout.HOME}/.ssh/id_ed25519"]
    assert rsa != ed
    assert b.files[f"{layout.HOME}/.ssh/id_rsa.pub"].startswith("ssh-rsa ")
    assert b.files[f"{layout.HOME}/.ssh/id_ed25519.pub"].startswith("ssh-ed25519 ")
    assert b.files[f"{layout.HOME}/.ssh/id_rsa.pub"].rstrip().endswith(f"{layout.USER}@{layout.HOSTNAME}")


def test_values_to_look_for_are_unique_to_the_run():
    """The key excerpts searched for in traffic must be this run's, not the OpenSSH header that
    every key begins with (a match on that would be a coincidence, not a theft)."""
    a, b = bait.fresh(), bait.fresh()
    values_a, values_b = dict(a.secrets), dict(b.secrets)
    for what in values_a:
        assert values_a[what] != values_b[what], what
    assert values_a["ssh_private_key"] != values_a["ssh_rsa_private_key"]


def test_written_files_look_months_old_and_belong_to_the_user(tmp_path):
    b = bait.fresh()
    b.write(tmp_path)
    now = time.time()
    for guest in [*b.files, *b.decor]:
        st = os.stat(tmp_path / guest.lstrip("/"))
        assert now - st.st_mtime > 20 * bait.DAY, guest
        if os.geteuid() == 0:
            assert (st.st_uid, st.st_gid) == (layout.UID, layout.GID)
    key = tmp_path / f"{layout.HOME}/.ssh/id_rsa".lstrip("/")
    assert key.stat().st_mode & 0o777 == 0o600
    assert (key.parent.stat().st_mode & 0o777) == 0o700
    # Decoration is not bait: reading ~/.gitconfig (git does) is no evidence.
    assert not set(b.decor) & set(b.public()["files"])
