"""A size-bounded filesystem per run for the sandbox's writable layer.

runsc keeps the overlay's upper layer in one file that it unlinks at once, so neither a size check
of the folder nor `du` sees what the package wrote, and nothing stops it filling the host's disk.
Putting that folder on a sparse ext4 image of the run's own, loop-mounted, bounds the layer by the
image's size (the kernel refuses writes past it), and statvfs of the mount counts the unlinked
file's blocks: how much the package has written, while it writes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

# ext4's own bookkeeping (bitmaps, group descriptors) takes a little of the image; the hard bound
# sits this far above the limit, so that the limit, not the filesystem, is what a flood meets first.
SLACK = 32 << 20


class DiskError(Exception):
    pass


def mount_bounded(mountpoint: Path, image: Path, size: int) -> None:
    """A fresh ext4 of SIZE bytes (plus slack) in the sparse file IMAGE, mounted at MOUNTPOINT."""
    mountpoint.mkdir(exist_ok=True)
    with open(image, "wb") as f:
        f.truncate(size + SLACK + size // 32)  # sparse: takes host disk only as it is written
    # No journal and no reserved blocks (nothing here outlives the run); few inodes (it holds one
    # big file); lazy init and no discard keep mkfs to a fraction of a second for any size.
    _run(["mkfs.ext4", "-q", "-F", "-O", "^has_journal", "-m", "0", "-T", "largefile4",
          "-E", "lazy_itable_init=1,nodiscard", str(image)])
    _run(["mount", "-o", "loop,noatime,nodev,nosuid", str(image), str(mountpoint)])


def used(mountpoint: Path) -> int:
    """Bytes in use on the run's filesystem (unlinked but open files included)."""
    st = os.statvfs(mountpoint)
    return (st.f_blocks - st.f_bfree) * st.f_frsize


def release(mountpoint: Path) -> None:
    """Unmount (the loop device goes with it); harmless when not mounted."""
    if os.path.ismount(mountpoint):
        r = subprocess.run(["umount", str(mountpoint)], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:  # still busy (a dying sandbox): detach now, freed when it lets go
            subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, timeout=60)


def _run(cmd: list[str]) -> None:
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise DiskError(f"{' '.join(cmd)}: {r.stderr.strip() or r.returncode}")
