"""libmagic in the helper process gives the types in-process detection gives, and the pass falls
back to in-process detection when the helper is gone or disabled."""

import os
import signal
import time

from pkgtrace.static import magicworker
from pkgtrace.static.facts import detect_type
from tests.static.builders import zip_bytes

# Files of different kinds, with one over libmagic's 64 KiB head and names needing quoting.
FILES = {
    "pkg/__init__.py": b"",
    "pkg/core.py": b"import os\n\n\ndef run(a, b):\n    return os.path.join(a, b)\n",
    "pkg/crlf.py": b"class A:\r\n    pass\r\n",
    "pkg/long.py": b"x = '" + b"a" * 90_000 + b"'\n",
    "pkg/page.html": b"<!DOCTYPE html><html><body>hi</body></html>\n",
    "pkg/img.png": bytes.fromhex("89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61"),
    "pkg/data.bin": bytes(range(256)) * 4,
    "pkg/na\u00efve name\n.txt": "caf\u00e9 au lait\n".encode(),
}


def _expected(tmp_path, copies=1 + magicworker.MIN_FILES // len(FILES)):
    out = {}
    for i, (name, data) in enumerate(list(FILES.items()) * copies):
        p = tmp_path / f"f{i}"
        p.write_bytes(data)
        out[p] = detect_type(data)
    return out


def _warm(paths):
    """Runs until the helper has answered once (a starting helper is not waited for)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with magicworker.TypeStream(paths) as types:
            if any(types.next() is not None for _ in paths):
                return
        time.sleep(0.02)
    raise AssertionError("the magic helper never answered")


def test_helper_types_match_in_process(tmp_path):
    expected = _expected(tmp_path)
    paths = list(expected)
    with magicworker.TypeStream(paths) as types:  # cold: each answer is right or None
        got = [types.next() for _ in paths]
    assert all(t is None or t == e for t, e in zip(got, expected.values()))
    _warm(paths)
    with magicworker.TypeStream(paths) as types:  # warm: every answer comes from the helper
        assert [types.next() for _ in paths] == list(expected.values())
    assert magicworker.helper_pid() is not None


def test_dead_helper_falls_back(tmp_path):
    # More files than requests in flight, so that later answers cannot already be in the pipe.
    expected = _expected(tmp_path, copies=1 + (2 * magicworker.WINDOW_FILES
                                                + magicworker.MIN_FILES) // len(FILES))
    paths = list(expected)
    _warm(paths)
    with magicworker.TypeStream(paths) as types:
        first = types.next()
        os.kill(magicworker.helper_pid(), signal.SIGKILL)
        rest = [types.next() for _ in paths[1:]]
    assert first == expected[paths[0]]
    # After the helper dies the caller gets None for each file and detects in-process.
    assert all(t is None or t == expected[p] for t, p in zip(rest, paths[1:]))
    assert rest[-1] is None
    # The next run starts a fresh helper.
    _warm(paths)
    with magicworker.TypeStream(paths) as types:
        assert [types.next() for _ in paths] == list(expected.values())


def test_analysis_types_same_with_and_without_helper(analyse, monkeypatch):
    files = {f"{i}/{name}": data for i in range(1 + magicworker.MIN_FILES // len(FILES))
             for name, data in FILES.items()}
    data = zip_bytes(files)
    with_helper = {f["path"]: f["type"] for f in analyse(data, filename="pkg-1.0.zip")[1]["files"]}
    monkeypatch.setenv("PKGTRACE_MAGIC_HELPER", "0")
    without = {f["path"]: f["type"] for f in analyse(data, filename="pkg-1.0.zip")[1]["files"]}
    assert with_helper == without
    assert with_helper["0/pkg/__init__.py"] == "empty"
    assert with_helper["0/pkg/img.png"].startswith("PNG image data, 16 x 16")
