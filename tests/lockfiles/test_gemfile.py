from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_bundle_lock_with_path_gem(deps):
    path = REAL / "bundler" / "Gemfile.lock"
    found = deps(path)
    assert table(found) == {
        ("debug", "1.4.0", True, "registry"),
        ("minitest", "5.15.0", True, "registry"),
        ("mylib", "0.3.0", True, "path"),
        ("irb", "1.4.1", False, "registry"),
        ("io-console", "0.5.11", False, "registry"),
        ("matrix", "0.4.2", False, "registry"),
        ("reline", "0.3.0", False, "registry"),
    }
    assert by_name(found, "mylib")["locator"] == "vendor/mylib"
    assert by_name(found, "irb")["line"] == line_of(path, "    irb (1.4.1)")
    assert {d["ecosystem"] for d in found} == {"rubygems"}


def test_edge_sections(deps):
    found = deps(EDGE / "bundler" / "Gemfile.lock")
    assert table(found) == {
        ("gitgem", "0.9.0", True, "git"),
        ("local_engine", "0.1.0", True, "path"),
        ("internal-gem", "2.0.0", True, "registry"),
        ("nokogiri", "1.16.2", True, "registry"),     # three platform builds, one release
        ("mini_portile2", "2.8.5", False, "registry"),
        ("racc", "1.7.3", False, "registry"),
        ("rack", "3.0.9.1", False, "registry"),
    }
    assert by_name(found, "gitgem")["locator"] == \
        "https://github.com/example/gitgem.git@0123456789abcdef0123456789abcdef01234567"
    assert by_name(found, "internal-gem")["locator"] == "https://gems.example.org/"


def test_malformed(deps, tmp_path):
    f = tmp_path / "Gemfile.lock"
    f.write_text("GEM\n  remote: https://rubygems.org/\n  specs:\n    rack 3.0\n\nDEPENDENCIES\n  rack\n")
    e = deps.error(f)
    assert e["line"] == 4 and "NAME (VERSION)" in e["message"]
    f.write_text("GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (3.0)\n\nSURPRISE\n")
    assert deps.error(f)["line"] == 6
