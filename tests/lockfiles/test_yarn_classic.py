from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_yarn_classic(deps):
    path = REAL / "yarn-classic" / "yarn.lock"
    assert deps.fmt(path) == "yarn.lock (classic)"
    found = deps(path)
    assert table(found) == {
        ("@isaacs/string-locale-compare", "1.1.0", True, "registry"),
        ("is-number", "6.0.0", True, "registry"),  # the workspace's package.json asks for it
        ("is-number", "7.0.0", True, "registry"),
        ("is-odd", "3.0.1", True, "registry"),
        ("ms", "2.1.2", True, "registry"),
        ("ms", "2.1.3", True, "registry"),
    }
    alias = by_name(found, "ms", "2.1.2")
    assert alias["alias"] == "my-ms" and alias["line"] == line_of(path, '"my-ms@npm:ms@2.1.2":')


def test_edge_cases(deps):
    found = deps(EDGE / "yarn-classic" / "yarn.lock")
    assert table(found) == {
        ("@babel/code-frame", "7.23.5", True, "registry"),   # two specifiers, one entry
        ("@babel/highlight", "7.23.4", False, "registry"),
        ("@other/real", "2.1.0", True, "registry"),          # scoped alias of a scoped package
        ("chalk", "2.4.2", False, "registry"),
        ("gitdep", "1.0.0", True, "git"),
        ("shorthand", "0.2.0", True, "git"),                 # github shorthand user/repo
        ("localdep", "0.0.0", True, "path"),
        ("tarball", "1.0.0", True, "url"),
        ("private", "1.4.0", True, "registry"),
    }
    assert by_name(found, "@other/real")["alias"] == "@scope/alias"
    assert by_name(found, "private")["locator"] == "https://npm.example.org/private/-/private-1.4.0.tgz"


def test_malformed(deps, tmp_path):
    f = tmp_path / "yarn.lock"
    f.write_text('# yarn lockfile v1\n\n\na@^1.0.0:\n  version "1.0.0"\n   resolved "x"\n')
    e = deps.error(f)
    assert e["line"] == 6 and "indentation" in e["message"]
    f.write_text('# yarn lockfile v1\n\na@^1.0.0:\n  resolved "https://x/a.tgz"\n')
    e = deps.error(f)
    assert e["line"] == 3 and "no version" in e["message"]
    f.write_text('# yarn lockfile v1\n\na@^1.0.0:\n  version "1.0.0" extra\n')
    assert deps.error(f)["line"] == 4
