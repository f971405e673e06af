from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_composer_path_repositories(deps):
    path = REAL / "composer" / "composer.lock"
    found = deps(path)
    assert table(found) == {
        ("acme/lib", "2.0.1", True, "path"),
        ("acme/util", "1.2.0", False, "path"),
    }
    assert by_name(found, "acme/util")["line"] == line_of(path, '"name": "acme/util"')
    assert {d["ecosystem"] for d in found} == {"packagist"}


def test_edge_cases(deps):
    found = deps(EDGE / "composer" / "composer.lock")
    assert table(found) == {
        ("monolog/monolog", "3.5.0", True, "registry"),   # names are case-insensitive: lower-cased
        ("psr/log", "v3.0.0", False, "registry"),          # the version as Packagist spells it
        ("acme/branch", "dev-main", True, "git"),           # a branch is not a release
        ("acme/local", "1.0.0", True, "path"),
        ("phpunit/phpunit", "10.5.11", True, "registry"),
    }
    assert by_name(found, "phpunit/phpunit")["dev"] is True
    assert by_name(found, "psr/log")["hashes"] == ["sha1:abcdef0123456789abcdef0123456789abcdef01"]


def test_malformed(deps, tmp_path):
    f = tmp_path / "composer.lock"
    f.write_text('{\n  "content-hash": "x",\n  "packages": [\n    {"name": "a/b"}\n  ]\n}\n')
    e = deps.error(f)
    assert e["key"] == "packages[0].version" and e["line"] == 4
