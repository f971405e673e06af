from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_yarn_berry(deps):
    path = REAL / "yarn-berry" / "yarn.lock"
    assert deps.fmt(path) == "yarn.lock (berry)"
    found = deps(path)
    assert table(found) == {
        ("demo", "0.0.0-use.local", False, "workspace"),
        ("@demo/app", "0.0.0-use.local", False, "workspace"),
        ("@isaacs/string-locale-compare", "1.1.0", True, "registry"),
        ("is-number", "6.0.0", True, "registry"),
        ("is-number", "7.0.0", True, "registry"),
        ("is-odd", "3.0.1", True, "registry"),
        ("ms", "2.1.2", True, "registry"),
        ("ms", "2.1.3", True, "registry"),
    }
    alias = by_name(found, "ms", "2.1.2")
    assert alias["alias"] == "my-ms" and alias["line"] == line_of(path, '"my-ms@npm:ms@2.1.2":')
    assert by_name(found, "is-odd")["hashes"][0].startswith("10c0/")


def test_edge_protocols(deps):
    found = deps(EDGE / "yarn-berry" / "yarn.lock")
    assert table(found) == {
        ("edge", "0.0.0-use.local", False, "workspace"),
        ("@other/real", "2.1.0", True, "registry"),
        ("gitdep", "1.0.0", True, "git"),
        ("localdep", "0.0.0", True, "path"),
        ("portaldep", "0.0.0-use.local", True, "path"),
        ("tarball", "1.0.0", True, "url"),
        ("typescript", "5.4.2", True, "registry"),   # the patch: entry is the same release, once
    }


def test_malformed(deps, tmp_path):
    f = tmp_path / "yarn.lock"
    f.write_text('__metadata:\n  version: 8\n\n"a@npm:1.0.0":\n  version: 1.0.0\n  resolution: [oops\n')
    e = deps.error(f)
    assert "invalid YAML" in e["message"] and e["line"] in (6, 7)
    f.write_text('__metadata:\n  version: 8\n\n"a@npm:1.0.0":\n  version: 1.0.0\n')
    e = deps.error(f)
    assert e["key"] == '["a@npm:1.0.0"].resolution' and e["line"] == 4
