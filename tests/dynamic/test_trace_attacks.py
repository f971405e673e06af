"""Packages that attack the trace itself (issue 11), analysed through the CLI in the real sandbox:
each behaviour is recorded in the install phase, and the verdict is not benign."""

from __future__ import annotations

from pathlib import Path

import pytest

from builders import trace_attack
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox


def _analyze(name: str, tmp_path: Path, results: Path) -> dict:
    artifact = trace_attack(tmp_path / "dist", name)
    return run_cli_json("analyze", "pypi", "--local", str(artifact), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "180")


def _bait(docs: dict, suffix: str) -> str:
    return next(p for p in docs["report"]["dynamic"]["bait"]["files"] if p.endswith(suffix))


def _files(docs: dict, phase: str = "install") -> dict:
    return {f["Path"]: f for f in docs["dynamic"]["Analysis"][phase]["Files"]}


def _fired(docs: dict) -> set[str]:
    return set(docs["report"]["verdict"]["rules_fired"])


def _not_benign(docs: dict) -> None:
    verdict = docs["report"]["verdict"]
    assert verdict["label"] != "benign", verdict


def test_stealth_process_name_cannot_blind_the_trace(tmp_path, results):
    docs = _analyze("stealth", tmp_path, results)
    files = _files(docs)
    assert files[_bait(docs, "/.ssh/id_rsa")]["Read"]
    assert any(p.endswith("/.profile") and f["Write"] for p, f in files.items())
    section = docs["report"]["dynamic"]["phases"]["install"]
    assert any(s["address"] == "203.0.113.7" and s["port"] == 9999 for s in section["sends"])
    assert any(t["why"] == "process name spells a syscall" for t in section["tamper"])
    assert {"DYN-BAIT-READ", "DYN-PERSISTENCE-WRITE", "DYN-TRACE-TAMPER"} <= _fired(docs)
    _not_benign(docs)


def test_newline_forged_log_line_is_caught_and_the_read_after_it_kept(tmp_path, results):
    docs = _analyze("forge", tmp_path, results)
    assert _files(docs)[_bait(docs, "/.aws/credentials")]["Read"]
    section = docs["report"]["dynamic"]["phases"]["install"]
    assert any("path" in t["why"] or "newline" in t["why"] for t in section["tamper"]), section["tamper"]
    assert {"DYN-BAIT-READ", "DYN-TRACE-TAMPER"} <= _fired(docs)
    # the forged "pid 1 cloned me" did not take the process out of the install phase
    assert docs["report"]["dynamic"]["trace_stats"]["recreated"] == 0
    _not_benign(docs)


def test_bait_read_through_a_symlink_a_hard_link_and_a_renamed_folder(tmp_path, results):
    docs = _analyze("links", tmp_path, results)
    files = {f["path"]: f for f in docs["report"]["dynamic"]["phases"]["install"]["files"]}
    assert files[_bait(docs, "/.ssh/id_rsa")]["read"] and "/var/tmp/s" in files[_bait(docs, "/.ssh/id_rsa")]["via"]
    assert "/var/tmp/h" in files[_bait(docs, "/.aws/credentials")]["via"]
    assert "/var/tmp/folder/id_ed25519" in files[_bait(docs, "/.ssh/id_ed25519")]["via"]
    assert "DYN-BAIT-READ" in _fired(docs)
    _not_benign(docs)


def test_twenty_thousand_junk_files_do_not_push_out_a_bait_read_or_a_profile_write(tmp_path, results):
    docs = _analyze("flood", tmp_path, results)
    files = _files(docs)
    assert files[_bait(docs, "/.aws/credentials")]["Read"]
    assert any(p.endswith("/.profile") and f["Write"] for p, f in files.items())
    section = docs["report"]["dynamic"]["phases"]["install"]
    assert section["dropped_events"] > 0  # the cap did bite, on the junk only
    assert {"DYN-BAIT-READ", "DYN-PERSISTENCE-WRITE"} <= _fired(docs)
    _not_benign(docs)


def test_relative_open_after_chdir_is_filed_under_the_new_folder(tmp_path, results):
    docs = _analyze("chdir", tmp_path, results)
    assert _files(docs)[_bait(docs, "/.aws/credentials")]["Read"]
    assert not any(p.endswith("/credentials") and "/pip-" in p for p in _files(docs))
    assert "DYN-BAIT-READ" in _fired(docs)
    _not_benign(docs)


def test_stat_probe_of_cloud_credentials_is_a_read(tmp_path, results):
    docs = _analyze("probe", tmp_path, results)
    path = _bait(docs, "/.aws/credentials")
    assert _files(docs)[path]["Read"]
    ops = {f["path"]: f["ops"] for f in docs["report"]["dynamic"]["phases"]["install"]["files"]}
    assert set(ops[path]) & {"stat", "newfstatat", "statx", "lstat"}
    assert "DYN-BAIT-READ" in _fired(docs)
    _not_benign(docs)


def test_failed_powershell_encoded_command_is_intent(tmp_path, results):
    docs = _analyze("powershell", tmp_path, results)
    install = docs["report"]["dynamic"]["phases"]["install"]
    # The PATH entries before the persona's stand-ins miss (ENOENT): the failed calls are kept...
    tried = [f for f in install["failed"] if f["syscall"] == "execve" and f.get("argv", [None])[0] == "powershell"]
    assert tried and tried[0]["errno"] == 2 and "-EncodedCommand" in tried[0]["argv"]
    # ...and the persona's stand-in answers (sandbox/persona.py), so the command runs and its
    # script is decoded from the traced argv: the intent shows as what it would do on Windows.
    ran = [c for c in install["commands"] if (c.get("argv") or [None])[0] == "powershell"]
    assert ran and ran[0]["decoded"] == "IEX (New-Object)"
    finding = next(f for f in docs["report"]["verdict"]["findings"] if f["rule"] == "DYN-POWERSHELL-ENCODED")
    assert finding["phase"] == "install" and "IEX (New-Object)" in finding["message"]
    _not_benign(docs)
