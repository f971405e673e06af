"""pkgtrace's trace against OSSF package-analysis' own strace test vectors.

tests/fixtures/ossf/strace.json holds the input lines and expected Files()/Sockets() of every test
in OSSF's internal/strace/strace_test.go (source and commit in the file). Each vector goes through
the same code that fills dynamic.json (trace.build, then run._files / run._sockets) and must come
out as OSSF expects, except the ones in DELIBERATE: there pkgtrace answers differently on purpose,
the answer it gives is written down with the reason, and the test checks that answer, so a
difference cannot appear, vanish or change unnoticed.

One adaptation of the input, not of the answer: in pkgtrace's sandbox pid 1 is pkgtrace's own init
(guest/init.py), whose calls are never the package's; in OSSF's, pid 1 is the analysed command. The
vectors recorded as pid 1 are fed as pid 100, so they test the parsing rather than who pid 1 is.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pkgtrace.dynamic.run import _files, _sockets
from pkgtrace.dynamic.trace import PhaseTrace, PhaseWindow, build

DATA = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "ossf" / "strace.json").read_text())
VECTORS = {v["name"]: v for v in DATA["vectors"]}

_FAILED = ("a call that failed is kept apart, in the report's failed list with its errno (the test "
           "checks it is there): OSSF lists it as if it had happened, so a probe for a missing file "
           "or an unreachable host reads as a read or a connection")
_FD_WRITE = ("a write through a descriptor is not a file: output to the phase's own stdout/stderr "
             "(host:[N], pipe:[N]) is in Stdout/Stderr, and a file a package writes is marked at its "
             "open (O_WRONLY, O_RDWR, O_CREAT, O_TRUNC), which is where the path is known")
_RDONLY_CREATE = ("O_CREAT|O_TRUNC without O_WRONLY/O_RDWR opens the file in O_RDONLY access mode "
                  "(0), so the descriptor can read it: Read and Write, where OSSF says Write only")

# vector -> (Files or Sockets pkgtrace gives, why it differs from OSSF)
DELIBERATE: dict[str, tuple[list, str]] = {
    "TestParseFileWriteMultipleWritesToSameFile": ([], _FD_WRITE),
    "TestParseFileWritesToDifferentFiles": ([], _FD_WRITE),
    "TestParseFileWriteWithZeroBytesWritten": ([], _FD_WRITE),
    "TestUnlinkOneEntry/unlink2": ([], _FAILED),
    "TestParseFilesOneEntry/open_rdonly": ([], _FAILED),
    "TestParseFilesOneEntry/openat_rdonly": ([], _FAILED),
    "TestParseFilesOneEntry/openat_relative_path": ([], _FAILED),
    "TestParseFilesOneEntry/stat": ([], _FAILED),
    "TestParseSocketsOneEntry/bind_ipv6_web": ([], _FAILED),
    "TestParseSocketsOneEntry/connect_ipv6_https": ([], _FAILED),
    "TestParseFilesOneEntry/open_create": (
        [{"Path": "/dev/null", "Read": True, "Write": True, "Delete": False}], _RDONLY_CREATE),
    "TestParseFilesOneEntry/openat_creat": (
        [{"Path": "/dev/null", "Read": True, "Write": True, "Delete": False}], _RDONLY_CREATE),
}
# Not in OSSF's document at all: its FileInfo.WriteInfo (bytes and a hash of each write's buffer)
# is not in the schema its BigQuery loader uses (dynamic-analysis-schema.json), so dynamic.json
# leaves it out; what a package sent over the network is in the report's `sends`.


def _as_phase(text: str) -> PhaseTrace:
    text = re.sub(r"(strace\.go:\d+\] \[)   1([:\]])", r"\1 100\2", text)
    lines = [f"{x}\n".encode() for x in text.split("\n")]
    return build(lines, [PhaseWindow("install", None, 0, 86400)], log_pid=None).phases.get(
        "install", PhaseTrace())


def _ossf_view(v: dict, pt: PhaseTrace) -> list[dict]:
    if v["check"] == "files":
        return [f.model_dump() for f in _files(pt)]
    return [{"Address": s.Address, "Port": s.Port} for s in _sockets(pt, {})]


def _expected(v: dict) -> list[dict]:
    keys = ("Path", "Read", "Write", "Delete") if v["check"] == "files" else ("Address", "Port")
    return [{k: x[k] for k in keys} for x in v["expected"]]


def test_every_vector_of_ossfs_file_is_here():
    assert len(VECTORS) == 32  # + TestReallyLongLogLine, built in code below: OSSF's 33
    assert set(DELIBERATE) <= set(VECTORS)
    assert all(len(why) > 40 for _, why in DELIBERATE.values())


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_ossf_strace_vector(name):
    v = VECTORS[name]
    pt = _as_phase(v["input"])
    got = _ossf_view(v, pt)
    if name in DELIBERATE:
        assert got == DELIBERATE[name][0]
        assert got != _expected(v)  # still a difference: else drop it from DELIBERATE
    else:
        assert got == _expected(v)
    if DELIBERATE.get(name, (None, ""))[1] == _FAILED:
        # kept apart, not lost: the failed call with its errno and what it named
        (f,) = pt.failed
        assert f" X {f['syscall']}(" in v["input"]
        assert f"errno={f['errno']} ({f['error']})" in v["input"]


def test_the_stat_family_of_ossfs_vectors_reads_the_file():
    # fstat, lstat, newfstatat (absolute and relative to its dirfd) as OSSF: a read
    for name in ("fstat", "lstat", "newfstatat", "newfstatat_relative"):
        v = VECTORS[f"TestParseFilesOneEntry/{name}"]
        (f,) = _as_phase(v["input"]).files.items()
        assert f[0] == v["expected"][0]["Path"] and f[1].read and not f[1].write, name


def test_a_failed_stat_probe_is_not_a_read_but_is_kept():
    pt = _as_phase(VECTORS["TestParseFilesOneEntry/stat"]["input"])
    assert not pt.files and pt.failed[0]["syscall"] == "stat" and pt.failed[0]["errno"] == 2


def test_the_older_forms_zero_result_with_errno_is_a_failure_not_a_success():
    # `= 0x0 errno=2` (runsc of OSSF's vectors) must not read as an open that worked
    pt = _as_phase(VECTORS["TestParseFilesOneEntry/openat_rdonly"]["input"])
    assert "/usr/local/lib/ruby/vendor_ruby/3.0.0/digest.so" not in pt.files
    assert pt.failed[0]["args"][1].endswith("digest.so")


def test_a_pid_1_line_is_inits_and_not_the_packages():
    # the adaptation above, checked: unchanged, OSSF's pid-1 vectors belong to no phase
    raw = VECTORS["TestParseFilesOneEntry/fstat"]["input"]
    lines = [f"{raw}\n".encode()]
    assert "install" not in build(lines, [PhaseWindow("install", None, 0, 86400)], log_pid=None).phases


def test_really_long_log_line():
    spec = DATA["long_line"]
    part = '{base=0x4a2ab20, len=1378, "' + "\x00" * 1378 + '"...}, '
    text = spec["template"].replace("%s", part * spec["repeat"])
    assert len(text) > 1_000_000
    pt = _as_phase(text)
    assert _files(pt) == spec["expected"]
