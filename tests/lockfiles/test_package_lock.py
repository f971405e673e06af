from __future__ import annotations

import pytest

from .conftest import EDGE, REAL, by_name, line_of, table

# The same project (a workspace, an alias, a scoped package, a nested second version of
# is-number) locked by npm in each lockfile version.
NPM_PROJECT = {
    ("@isaacs/string-locale-compare", "1.1.0", True, "registry"),
    ("is-number", "7.0.0", True, "registry"),
    ("is-number", "6.0.0", True, "registry"),   # nested under is-odd; direct for the workspace
    ("is-odd", "3.0.1", True, "registry"),
    ("ms", "2.1.2", True, "registry"),          # the real package behind the my-ms alias
    ("ms", "2.1.3", True, "registry"),
    ("@demo/app", "0.1.0", False, "workspace"),
}


@pytest.mark.parametrize("version", [2, 3])
def test_package_lock_v2_v3(deps, version):
    path = REAL / f"npm-v{version}" / "package-lock.json"
    found = deps(path)
    assert table(found) == NPM_PROJECT
    alias = by_name(found, "ms", "2.1.2")
    assert alias["alias"] == "my-ms" and alias["key"] == 'packages["node_modules/my-ms"]'
    assert alias["line"] == line_of(path, '"node_modules/my-ms"')
    assert by_name(found, "ms", "2.1.3")["dev"] is True
    assert all(d["hashes"][0].startswith("sha512-") for d in found if d["source"] == "registry")
    assert all(d["locator"] is None for d in found if d["source"] == "registry")


def test_package_lock_v1(deps):
    path = REAL / "npm-v1" / "package-lock.json"
    found = deps(path)
    assert table(found) == {
        ("@isaacs/string-locale-compare", "1.1.0", True, "registry"),
        ("is-number", "7.0.0", True, "registry"),
        ("is-number", "6.0.0", False, "registry"),  # only nested under is-odd
        ("is-odd", "3.0.1", True, "registry"),
        ("ms", "2.1.2", True, "registry"),
        ("ms", "2.1.3", True, "registry"),
    }
    assert by_name(found, "ms", "2.1.2")["alias"] == "my-ms"
    nested = by_name(found, "is-number", "6.0.0")
    assert nested["key"] == "dependencies.is-odd.dependencies.is-number"
    assert nested["line"] == line_of(path, '"version": "6.0.0"') - 1


def test_edge_cases_v3(deps):
    found = deps(EDGE / "npm-v3" / "package-lock.json")
    assert table(found) == {
        ("@other/real", "2.1.0", True, "registry"),  # "@scope/alias": "npm:@other/real@^2.0.0"
        ("fsevents", "2.3.3", True, "registry"),     # optional, platform-specific
        ("gitdep", "1.0.0", True, "git"),
        ("left-pad", "1.3.0", True, "registry"),     # the workspace's dependency
        ("localdep", "0.0.0", True, "path"),         # file:../localdep, outside the workspaces
        ("private", "1.4.0", True, "registry"),
        ("tarball", "1.0.0", True, "url"),
        ("bundled", "0.1.0", False, "registry"),
        ("@edge/util", "0.0.1", False, "workspace"),
    }
    assert by_name(found, "@other/real")["alias"] == "@scope/alias"
    assert by_name(found, "private")["locator"] == "https://npm.example.org/private/-/private-1.4.0.tgz"
    assert by_name(found, "gitdep")["locator"].startswith("git+ssh://git@github.com/example/gitdep.git#")


def test_edge_cases_v1_without_package_json(deps):
    found = deps(EDGE / "npm-v1" / "package-lock.json")
    assert table(found) == {
        ("@babel/code-frame", "7.0.0", None, "registry"),
        ("gitdep", None, None, "git"),
        ("localdep", None, None, "path"),
    }


def test_malformed(deps, tmp_path):
    f = tmp_path / "package-lock.json"
    f.write_text('{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": {"version": 1}\n  }\n}\n')
    e = deps.error(f)
    assert e["line"] == 4 and e["key"] == 'packages["node_modules/a"].version'
    f.write_text('{\n  "lockfileVersion": 3,\n  "packages": {\n    "packages/app": {"version": 7}\n  }\n}\n')
    e = deps.error(f)  # a workspace's version too: never written out as a number
    assert e["line"] == 4 and e["key"] == 'packages["packages/app"].version'
    f.write_text('{\n  "lockfileVersion": 4\n}\n')
    e = deps.error(f)
    assert e["key"] == "lockfileVersion" and e["line"] == 2
    f.write_text('{\n  "lockfileVersion": 3,\n  "packages": {\n    "node_modules/a": {"version": "1"},\n')
    assert deps.error(f)["line"] == 5
