"""The run's size-bounded filesystem (sandbox/disk.py): what the sandbox's writable layer may take
of the host's disk, and how much it has taken, even through a file it has already unlinked (as
runsc does with the overlay's file store)."""

from __future__ import annotations

import errno
import os

import pytest

from pkgtrace.sandbox import disk

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="loop mounts need root")


@pytest.fixture
def bounded(tmp_path):
    mnt, image = tmp_path / "mnt", tmp_path / "disk.img"
    disk.mount_bounded(mnt, image, 64 << 20)
    yield mnt, image
    disk.release(mnt)


def test_usage_counts_an_unlinked_file_still_open(bounded):
    mnt, _ = bounded
    with open(mnt / "store", "wb") as f:
        os.unlink(mnt / "store")  # what runsc does with its file store
        f.write(os.urandom(8 << 20))
        f.flush()
        os.fsync(f.fileno())
        assert disk.used(mnt) >= 8 << 20
    assert disk.used(mnt) < 8 << 20


def test_a_flood_stops_at_the_bound_and_the_host_disk_with_it(bounded):
    mnt, image = bounded
    written = 0
    with pytest.raises(OSError) as e:
        with open(mnt / "flood", "wb") as f:
            chunk = b"\xff" * (1 << 20)
            while written < 512 << 20:
                f.write(chunk)
                f.flush()
                written += len(chunk)
    assert e.value.errno == errno.ENOSPC
    assert written < 64 << 20 + disk.SLACK + (2 << 20) + (64 << 20) // 32
    assert os.stat(image).st_blocks * 512 < (64 << 20) + disk.SLACK + (4 << 20)


def test_release_unmounts_and_is_harmless_twice(tmp_path):
    mnt = tmp_path / "mnt"
    disk.mount_bounded(mnt, tmp_path / "disk.img", 32 << 20)
    assert os.path.ismount(mnt)
    disk.release(mnt)
    assert not os.path.ismount(mnt)
    disk.release(mnt)
