"""Hostile archives: every one gets a clear error or a partial result, and nothing escapes."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile
import zipfile

import pytest

from pkgtrace.static.extract import Limits, extract, read_heads, safe_relpath, UnsafePath
from static.builders import gem_bytes, oversized_spec_tail, tar_bytes, zip_bytes
from static.conftest import tree


def _extract(tmp_path, data: bytes, name="a.tar.gz", **limits):
    arc = tmp_path / name
    arc.write_bytes(data)
    before = tree(tmp_path)
    res = extract(arc, tmp_path / "scratch" / "root", limits=Limits(**limits))
    created = tree(tmp_path) - before
    # Nothing outside the scratch folder, and no link anywhere inside it.
    assert all(p == "scratch" or p.startswith("scratch/") for p in created), created
    assert not any(os.path.islink(tmp_path / p) for p in created)
    return res


def _kinds(res):
    return {(p.kind, p.path) for p in res.problems}


@pytest.mark.parametrize("name,kind", [
    ("../evil.txt", "traversal"),
    ("a/../../evil.txt", "traversal"),
    ("/tmp/pkgtrace-abs-evil.txt", "absolute"),
    ("C:\\Windows\\evil.txt", "drive"),
    ("c:/evil.txt", "drive"),
    ("..\\..\\evil.txt", "traversal"),
    ("\\\\server\\share\\evil.txt", "absolute"),
])
def test_path_escapes_refused_in_tar_and_zip(tmp_path, name, kind):
    files = {"pkg/ok.py": b"print(1)\n", name: b"pwned"}
    for data, fn in ((tar_bytes(files), "a.tar.gz"), (zip_bytes(files), "a.zip")):
        sub = tmp_path / fn.replace(".", "_")
        sub.mkdir()
        res = _extract(sub, data, fn)
        assert [f.path for f in res.files] == ["pkg/ok.py"]
        assert any(p.kind == kind and "refused" in p.message for p in res.problems), res.problems
        assert res.status == "partial"
    assert not os.path.exists("/tmp/pkgtrace-abs-evil.txt")


def test_symlink_and_hardlink_to_etc_passwd_recorded_never_followed(tmp_path):
    def hostile(t: tarfile.TarFile):
        for typ, nm in ((tarfile.SYMTYPE, "pkg/passwd"), (tarfile.LNKTYPE, "pkg/hard"),
                        (tarfile.SYMTYPE, "pkg/etcdir")):
            info = tarfile.TarInfo(nm)
            info.type = typ
            info.linkname = "/etc/passwd" if nm != "pkg/etcdir" else "/etc"
            t.addfile(info)
        # A file "through" the link: must land inside the root, not in /etc.
        data = b"owned"
        info = tarfile.TarInfo("pkg/etcdir/pkgtrace-evil")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    res = _extract(tmp_path, tar_bytes({"pkg/a.py": b"x=1\n"}, extra=hostile))
    links = {(ln.path, ln.target, ln.kind) for ln in res.links}
    assert links == {("pkg/passwd", "/etc/passwd", "symlink"), ("pkg/hard", "/etc/passwd", "hardlink"),
                     ("pkg/etcdir", "/etc", "symlink")}
    assert not os.path.exists("/etc/pkgtrace-evil")
    assert (res.root / "pkg/etcdir/pkgtrace-evil").read_bytes() == b"owned"
    assert not (res.root / "pkg/passwd").exists()
    assert res.status == "ok"  # links are recorded facts, not errors


def test_zip_symlink_entry_recorded(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        info = zipfile.ZipInfo("pkg/link")
        info.external_attr = (0o120777 << 16)
        z.writestr(info, "/etc/passwd")
        z.writestr("pkg/a.py", "x=1\n")
    res = _extract(tmp_path, buf.getvalue(), "a.zip")
    assert [(ln.path, ln.target) for ln in res.links] == [("pkg/link", "/etc/passwd")]
    assert [f.path for f in res.files] == ["pkg/a.py"]


def test_zip_bomb_over_100_to_1_is_skipped(tmp_path):
    bomb = b"\0" * (64 << 20)
    data = zip_bytes({"pkg/ok.py": b"print('fine')\n", "pkg/bomb.bin": bomb})
    assert len(bomb) / len(data) > 100
    res = _extract(tmp_path, data, "bomb.zip")
    assert [f.path for f in res.files] == ["pkg/ok.py"]
    err = [p for p in res.problems if p.kind == "ratio"]
    assert err and "compression bomb" in err[0].message and err[0].path == "pkg/bomb.bin"
    assert res.status == "partial"
    assert res.total_bytes < 1 << 20


def test_tar_gz_bomb_stops_at_the_ratio_bound(tmp_path):
    data = tar_bytes({"pkg/a.py": b"x=1\n", "pkg/zeros.bin": b"\0" * (64 << 20),
                      "pkg/later.py": b"y=2\n"})
    res = _extract(tmp_path, data)
    assert res.status == "partial"
    assert any(p.kind == "limit" and "compression bomb" in p.message for p in res.problems)
    assert [f.path for f in res.files] == ["pkg/a.py"]
    assert not (res.root / "pkg/zeros.bin").exists()


def test_total_size_and_file_size_bounds(tmp_path):
    import random
    rnd = random.Random(1)
    blob = bytes(rnd.getrandbits(8) for _ in range(300_000))
    res = _extract(tmp_path, tar_bytes({"a.bin": blob, "b.bin": blob, "c.bin": blob}),
                   max_total_bytes=700_000)
    assert [f.path for f in res.files] == ["a.bin", "b.bin"]
    assert any("expands past 700000 bytes" in p.message for p in res.problems)
    sub = tmp_path / "s2"
    sub.mkdir()
    res = _extract(sub, tar_bytes({"a.bin": blob, "small.py": b"x=1"}), max_file_bytes=100_000)
    assert [f.path for f in res.files] == ["small.py"]
    assert any(p.kind == "limit" and p.path == "a.bin" for p in res.problems)


def _tiny_files_tar_gz(n: int) -> bytes:
    """A .tar.gz of N one-byte files, its ustar headers written directly (tarfile takes ~15 s
    for 100k members on a busy machine; this takes well under one)."""
    raw = bytearray()
    block = b"x" + b"\0" * 511
    for i in range(n):
        name = f"pkg/f{i // 1000}/{i}.txt".encode()
        head = bytearray(512)
        head[0:len(name)] = name
        head[100:108] = b"0000644\0"
        head[108:116] = head[116:124] = b"0000000\0"
        head[124:136] = b"00000000001\0"
        head[136:148] = b"00000000000\0"
        head[148:156] = b" " * 8
        head[156:157] = b"0"
        head[257:265] = b"ustar\x0000"
        head[148:156] = b"%06o\0 " % sum(head)
        raw += head
        raw += block
    raw += b"\0" * 1024
    return gzip.compress(bytes(raw), compresslevel=1)


def test_100k_tiny_files_partial(tmp_path):
    data = _tiny_files_tar_gz(100_000)
    with tarfile.open(fileobj=io.BytesIO(data)) as t:  # a well-formed archive, read back
        first = t.next()
        assert (first.name, first.size) == ("pkg/f0/0.txt", 1)
    assert Limits().max_files < 100_000  # the default bound stops such an archive too
    res = _extract(tmp_path, data, max_files=2_000)  # (a lower one keeps the test quick)
    assert len(res.files) == 2_000
    assert res.status == "partial"
    assert any(p.kind == "limit" and "more than 2000 files" in p.message for p in res.problems)
    assert (res.root / "pkg/f1/1999.txt").read_bytes() == b"x"


def test_device_nodes_and_fifos_skipped(tmp_path):
    def devices(t: tarfile.TarFile):
        for typ, nm in ((tarfile.CHRTYPE, "pkg/null"), (tarfile.BLKTYPE, "pkg/sda"),
                        (tarfile.FIFOTYPE, "pkg/fifo")):
            info = tarfile.TarInfo(nm)
            info.type = typ
            info.devmajor, info.devminor = 1, 3
            t.addfile(info)
    res = _extract(tmp_path, tar_bytes({"pkg/a.py": b"x=1\n"}, extra=devices))
    assert [f.path for f in res.files] == ["pkg/a.py"]
    assert {(p.kind, p.path) for p in res.problems} == {("device", "pkg/null"), ("device", "pkg/sda"),
                                                       ("device", "pkg/fifo")}
    assert not (res.root / "pkg/null").exists()


def test_truncated_gzip_keeps_what_came_before(tmp_path):
    import random
    rnd = random.Random(2)
    files = {f"pkg/m{i}.py": ("# " + "".join(rnd.choice("abcdef") for _ in range(20_000))).encode()
             for i in range(8)}
    data = tar_bytes(files)
    res = _extract(tmp_path, data[: len(data) * 6 // 10])
    assert res.status == "partial"
    assert 1 <= len(res.files) < 8
    assert any(p.kind == "corrupt" and ("truncated" in p.message or "corrupt" in p.message)
               for p in res.problems)
    for f in res.files:  # what was kept is whole
        assert f.disk.read_bytes() == files[f.path]


def test_non_utf8_file_name(tmp_path, analyse):
    data = tar_bytes({"pkg/caf\udce9.py": b"x = 'http://198.51.100.7/a'\n", "pkg/ok.py": b""})
    assert b"caf\xe9.py" in gzip.decompress(data)
    res = _extract(tmp_path, data)
    assert sorted(f.path for f in res.files) == ["pkg/caf%E9.py", "pkg/ok.py"]
    assert any(p.kind == "name" and "not UTF-8" in p.message for p in res.problems)
    doc, section = analyse(data)
    json.dumps(doc, ensure_ascii=False).encode("utf-8")  # strict UTF-8 all the way
    json.dumps(section, ensure_ascii=False).encode("utf-8")
    assert any(s["kind"] == "ip" and s["file"] == "pkg/caf%E9.py" for s in section["signals"])


def test_corrupt_zip_entry_does_not_lose_the_others(tmp_path):
    data = bytearray(zip_bytes({"a.py": b"print('a')\n" * 50, "b.py": b"print('b')\n" * 50},
                               method=zipfile.ZIP_STORED))
    i = data.find(b"print('a')")
    data[i:i + 5] = b"XXXXX"  # bad CRC on a.py
    res = _extract(tmp_path, bytes(data), "c.zip")
    assert [f.path for f in res.files] == ["b.py"]
    assert any(p.kind == "corrupt" and p.path == "a.py" for p in res.problems)


def test_not_an_archive_fails_cleanly(tmp_path, analyse):
    res = _extract(tmp_path, b"just some text, not an archive", "x.tar.gz")
    assert res.status == "failed" and res.problems[0].kind == "format"
    doc, section = analyse(b"\x1f\x8b garbage that claims to be gzip")
    assert section["extraction"]["status"] == "failed"
    assert doc["results"]["files"] == []


def test_duplicates_and_file_directory_conflicts(tmp_path):
    def dup(t: tarfile.TarFile):
        for name, data in (("pkg/a.py", b"second"), ("pkg/a.py/inner", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    res = _extract(tmp_path, tar_bytes({"pkg/a.py": b"first"}, extra=dup))
    assert (res.root / "pkg/a.py").read_bytes() == b"second"
    assert {p.kind for p in res.problems} == {"duplicate", "conflict"}


@pytest.mark.parametrize("name,expected", [("a/./b//c.py", "a/b/c.py"), ("./x", "x"),
                                           ("a\\b.py", "a/b.py")])
def test_safe_relpath_normalises(name, expected):
    assert safe_relpath(name)[0] == expected


def test_safe_relpath_refuses_nul_and_deep():
    with pytest.raises(UnsafePath):
        safe_relpath("a\x00b")
    with pytest.raises(UnsafePath):
        safe_relpath("/".join(["d"] * 100))


def test_hostile_archives_through_analyze_artifact(analyse):
    def hostile(t):
        info = tarfile.TarInfo("../../../../tmp/pkgtrace-escape")
        info.size = 1
        t.addfile(info, io.BytesIO(b"x"))
        info = tarfile.TarInfo("pkg/link")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        t.addfile(info)
    doc, section = analyse(tar_bytes({"pkg/setup.py": b"import os\n"}, extra=hostile))
    ext = section["extraction"]
    assert ext["status"] == "partial"
    assert ext["errors"][0]["kind"] == "traversal"
    assert ext["links"] == [{"path": "pkg/link", "target": "/etc/passwd", "kind": "symlink"}]
    assert [f["filename"] for f in doc["results"]["files"]] == ["pkg/setup.py"]
    assert not os.path.exists("/tmp/pkgtrace-escape")


def test_a_bomb_in_an_entry_too_large_to_keep_still_stops_at_the_bound(tmp_path):
    # The entry is skipped (over max_file_bytes), but a tar stream has no index: skipping it
    # means decompressing it. The bound counts those bytes too, so what follows is never reached.
    info = tarfile.TarInfo("pkg/huge.bin")
    info.size = 4 << 30
    head = tarfile.TarInfo("pkg/a.py")
    head.size = 4
    zeros = gzip.compress(b"\0" * (16 << 20), compresslevel=9)
    data = (gzip.compress(head.tobuf(format=tarfile.GNU_FORMAT) + b"x=1\n".ljust(512, b"\0")
                          + info.tobuf(format=tarfile.GNU_FORMAT))
            + zeros * 256 + gzip.compress(b"\0" * 1024))
    res = _extract(tmp_path, data)
    assert res.status == "partial"
    assert [f.path for f in res.files] == ["pkg/a.py"]
    assert any(p.kind == "limit" and "compression bomb" in p.message for p in res.problems)


@pytest.mark.parametrize("kind", ["padding", "bomb"])
def test_gem_metadata_past_the_limit_keeps_its_head_on_disk_and_in_memory(tmp_path, kind):
    # Padding or a bomb after the spec must not hide the spec: both readers keep the same head
    # and say the result is partial.
    gem = gem_bytes("big", "1.0.0", {"lib/big.rb": b"x=1\n"}, spec_tail=oversized_spec_tail(kind))
    limit = Limits().max_metadata_bytes
    res = _extract(tmp_path, gem, "big-1.0.0.gem")
    assert res.status == "partial" and ("limit", "metadata.gz") in _kinds(res)
    [meta] = res.extra
    assert (meta.path, meta.size) == ("metadata.gz", limit) and [f.path for f in res.files] == ["lib/big.rb"]
    on_disk = meta.disk.read_bytes()
    assert on_disk.startswith(b"--- !ruby/object:Gem::Specification\nname: big\n")
    heads, result = read_heads(tmp_path / "big-1.0.0.gem", lambda n: True, head_bytes=limit, budget=64 << 20)
    assert dict(heads) == {"metadata.gz": on_disk, "lib/big.rb": b"x=1\n"}
    assert result.status == "partial" and [p.message for p in result.problems] == [p.message for p in res.problems]
