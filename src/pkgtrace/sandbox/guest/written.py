"""Control step after each phase (its processes are dead by then), run as root in isolated mode
from the root-only drivers folder: what the files written during the phase hold now.

Usage: written.py SINCE OUT ROOT... [--quiet PREFIX]...

Walks each ROOT (the folders the package user can write to, layout.WRITABLE) without following
links and lists every entry whose ctime is at or after SINCE (epoch seconds): the package cannot
set a ctime back, so nothing it wrote or changed can hide from the walk. For each: its type, size
and mode; for a regular file also its sha256 and first KiB (no first KiB under a QUIET prefix, the
package managers' install targets, where thousands of ordinary files land). Links, FIFOs, sockets
and devices are listed, never opened; a file is opened with O_NOFOLLOW|O_NONBLOCK and read only if
it is still the regular file the walk saw. Everything is bounded: entries walked, files listed,
bytes hashed, wall time. The result goes to OUT, a root-only records folder the host reads.
"""
import hashlib
import json
import os
import stat
import sys
import time

HEAD = 1024
MAX_WALK = 200_000  # entries looked at
MAX_FILES = 1500  # entries listed
HASH_LIMIT = 16 << 20  # a bigger file is listed with its size and head, not hashed
HASH_TOTAL = 256 << 20  # bytes hashed per phase
SECONDS = 40.0
_TYPES = ((stat.S_ISREG, "file"), (stat.S_ISDIR, "dir"), (stat.S_ISLNK, "symlink"),
          (stat.S_ISFIFO, "fifo"), (stat.S_ISSOCK, "socket"), (stat.S_ISCHR, "chardev"),
          (stat.S_ISBLK, "blockdev"))


def _text(name):
    """A file name as text that any JSON writer takes (bytes that are not UTF-8 as \\xNN)."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def _type(mode):
    return next((name for test, name in _TYPES if test(mode)), "other")


def _read(path, st, quiet, budget):
    """sha256 and head of the regular file at PATH if it is still the one lstat saw."""
    out = {}
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        return {"error": e.strerror or str(e)}
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return {"error": "replaced while read"}
        head = os.read(fd, HEAD)
        if not quiet:
            out["head"] = head.hex()
        if now.st_size > HASH_LIMIT:
            out["hash_skipped"] = f"larger than {HASH_LIMIT >> 20} MiB"
        elif now.st_size > budget[0]:
            out["hash_skipped"] = "the phase's hashing budget is spent"
        else:
            h = hashlib.sha256(head)
            left = HASH_LIMIT - len(head)
            while left > 0:
                chunk = os.read(fd, min(1 << 20, left))
                if not chunk:
                    break
                h.update(chunk)
                left -= len(chunk)
            if left <= 0 and os.read(fd, 1):
                out["hash_skipped"] = "grew past the limit while read"
            else:
                budget[0] -= now.st_size
                out["sha256"] = h.hexdigest()
    finally:
        os.close(fd)
    return out


def collect(since, roots, quiet=()):
    deadline = time.monotonic() + SECONDS
    files, walked, truncated = [], 0, None
    budget = [HASH_TOTAL]
    seen = set()
    stack = [r for r in roots]
    while stack and truncated is None:
        top = stack.pop()
        try:
            st_top = os.lstat(top)
        except OSError:
            continue
        if not stat.S_ISDIR(st_top.st_mode) or (st_top.st_dev, st_top.st_ino) in seen:
            continue  # a root that is a link or gone, or a folder already walked
        seen.add((st_top.st_dev, st_top.st_ino))
        try:
            entries = list(os.scandir(top))
        except OSError:
            continue
        for e in entries:
            walked += 1
            if walked > MAX_WALK or time.monotonic() > deadline:
                truncated = "walk limit" if walked > MAX_WALK else "time limit"
                break
            try:
                st = e.stat(follow_symlinks=False)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                stack.append(e.path)
            if st.st_ctime < since or stat.S_ISDIR(st.st_mode):
                continue
            if len(files) >= MAX_FILES:
                truncated = "file limit"
                break
            rec = {"path": _text(e.path), "type": _type(st.st_mode), "size": st.st_size,
                   "mode": "0o%o" % stat.S_IMODE(st.st_mode), "uid": st.st_uid,
                   "mtime": round(st.st_mtime, 3), "ctime": round(st.st_ctime, 3)}
            if stat.S_ISLNK(st.st_mode):
                try:
                    rec["target"] = _text(os.readlink(e.path))[:4096]
                except OSError:
                    pass
            elif stat.S_ISREG(st.st_mode):
                rec.update(_read(e.path, st, any(e.path.startswith(q) for q in quiet), budget))
            files.append(rec)
    return {"since": since, "roots": list(roots), "walked": walked, "files": files,
            "truncated": truncated}


def main(argv):
    since, out, rest = float(argv[0]), argv[1], argv[2:]
    roots, quiet = [], []
    while rest:
        arg = rest.pop(0)
        if arg == "--quiet" and rest:
            quiet.append(rest.pop(0))
        else:
            roots.append(arg)
    doc = collect(since, roots, quiet)
    os.makedirs(os.path.dirname(out), mode=0o700, exist_ok=True)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(doc, f)
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
