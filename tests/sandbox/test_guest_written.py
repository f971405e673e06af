"""The written-files collector (guest/written.py) on the host, on folders of our own: what it lists,
and that nothing a package can leave behind hangs it, blows it up or gets it to follow a link."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from pkgtrace.dynamic import written as report
from pkgtrace.dynamic.trace import FileAccess, PhaseTrace

COLLECTOR = Path(__file__).parents[2] / "src" / "pkgtrace" / "sandbox" / "guest" / "written.py"


def _collect(tmp_path: Path, since: float, *args: str) -> dict:
    out = tmp_path / "out" / "list.json"
    subprocess.run([sys.executable, "-I", "-S", str(COLLECTOR), repr(since), str(out), *args],
                   check=True, timeout=60)
    return json.loads(out.read_text())


def test_lists_what_changed_since_the_phase_began_with_hash_and_head(tmp_path):
    root = tmp_path / "home"
    (root / "old").mkdir(parents=True)
    (root / "old" / "before.txt").write_text("before")
    since = time.time() + 0.01
    time.sleep(0.05)
    (root / "new.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "sub").mkdir()
    (root / "sub" / "data.bin").write_bytes(b"\x7fELF" + bytes(3000))
    (root / "old" / "before.txt").touch()  # an old file changed now is listed too
    doc = _collect(tmp_path, since, str(root))
    files = {f["path"]: f for f in doc["files"]}
    assert set(files) == {str(root / "new.sh"), str(root / "sub" / "data.bin"), str(root / "old" / "before.txt")}
    data = files[str(root / "sub" / "data.bin")]
    assert data["size"] == 3004 and data["sha256"] == hashlib.sha256(b"\x7fELF" + bytes(3000)).hexdigest()
    assert bytes.fromhex(data["head"]) == (b"\x7fELF" + bytes(3000))[:1024]
    assert doc["truncated"] is None


def test_links_fifos_and_huge_sparse_files_cost_nothing(tmp_path):
    root = tmp_path / "tmp"
    root.mkdir()
    since = time.time() - 1
    os.symlink("/dev/zero", root / "zero")
    os.symlink("/etc", root / "etc-link")  # a link to a folder is not walked into
    os.mkfifo(root / "fifo")
    with open(root / "sparse", "wb") as f:
        f.write(b"HEAD")
        f.truncate(64 << 30)  # 64 GiB, sparse
    doc = _collect(tmp_path, since, str(root))  # a hang or a 64 GiB read would hit _collect's timeout
    files = {f["path"]: f for f in doc["files"]}
    assert files[str(root / "zero")] == {**files[str(root / "zero")], "type": "symlink", "target": "/dev/zero"}
    assert files[str(root / "fifo")]["type"] == "fifo" and "head" not in files[str(root / "fifo")]
    sparse = files[str(root / "sparse")]
    assert sparse["size"] == 64 << 30 and "sha256" not in sparse and bytes.fromhex(sparse["head"]) == b"HEAD" + bytes(1020)
    assert not any(p.startswith(str(root / "etc-link") + "/") for p in files)


def test_a_flood_of_files_is_cut_at_the_limit_and_says_so(tmp_path):
    root = tmp_path / "flood"
    root.mkdir()
    since = time.time() - 1
    for i in range(1600):
        (root / f"f{i}").write_text("x")
    doc = _collect(tmp_path, since, str(root))
    assert len(doc["files"]) == 1500 and doc["truncated"] == "file limit"


def test_install_targets_are_hashed_without_their_head(tmp_path):
    root = tmp_path / "home"
    (root / ".venv").mkdir(parents=True)
    since = time.time() - 1
    (root / ".venv" / "mod.py").write_text("x = 1\n")
    doc = _collect(tmp_path, since, str(root), "--quiet", str(root / ".venv") + "/")
    (rec,) = doc["files"]
    assert "head" not in rec and rec["sha256"] == hashlib.sha256(b"x = 1\n").hexdigest()


def test_report_joins_the_list_with_the_trace():
    pt = PhaseTrace(files={"/tmp/gone": FileAccess(write=True), "/dev/null": FileAccess(write=True),
                           "/tmp/kept": FileAccess(write=True), "/etc/passwd": FileAccess(read=True)})
    snap = {"files": [{"path": "/tmp/kept", "type": "file", "size": 4, "head": b"MZ\x90\x00".hex(),
                       "sha256": "ab" * 32},
                      {"path": "/tmp/linked", "type": "file", "size": 2, "head": b"hi".hex()}],
            "walked": 10, "truncated": None}
    out = report.section(snap, pt)
    by = {w["path"]: w for w in out["written_files"]}
    assert by["/tmp/kept"]["head_kind"] == "pe" and by["/tmp/kept"]["traced"]
    assert by["/tmp/linked"]["traced"] is False and by["/tmp/linked"]["head_text"] == "hi"
    assert by["/tmp/gone"] == {"path": "/tmp/gone", "state": "absent", "traced": True}
    assert "/dev/null" not in by and "/etc/passwd" not in by
    assert out["written_summary"]["absent"] == 1
    # a list the collector could not make is said, not mistaken for "nothing written"
    failed = report.section({"error": "the collector failed (exit 1: boom)"}, pt)
    assert failed["written_summary"]["error"].startswith("the collector failed")
    # nor does a list it could not finish say a file it did not reach is gone
    for snap in ({"error": "the collector failed (timed out)"},
                 {**snap, "truncated": "time limit"}, {**snap, "truncated": "file limit"}):
        by = {w["path"]: w for w in report.section(snap, pt)["written_files"]}
        assert by["/tmp/gone"]["state"] == "not_walked", snap


def test_names_that_are_not_utf8_are_listed_as_text(tmp_path):
    # evasion: a name no UTF-8 JSON writer takes must not break the report (it would hide the rest)
    root = tmp_path / "tmp"
    root.mkdir()
    since = time.time() - 1
    (Path(os.fsdecode(bytes(root))) / os.fsdecode(b"bad\xff\nname")).write_text("x")
    doc = _collect(tmp_path, since, str(root))
    (rec,) = doc["files"]
    assert rec["path"] == str(root) + "/bad\\xff\nname" and rec["size"] == 1
    json.dumps(doc, ensure_ascii=False).encode("utf-8")
