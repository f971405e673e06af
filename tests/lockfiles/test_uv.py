from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_uv_lock_with_workspace_member(deps):
    path = REAL / "uv" / "uv.lock"
    found = deps(path)
    assert table(found) == {
        ("demo", "0.1.0", False, "workspace"),           # the project itself (virtual root)
        ("member", "0.2.0", True, "workspace"),          # a workspace member the root depends on
        ("colorama", "0.4.6", True, "registry"),
        ("jaraco-classes", "3.4.0", True, "registry"),
        ("python-dateutil", "2.9.0.post0", True, "registry"),
        ("six", "1.17.0", True, "registry"),             # direct for `member`
        ("more-itertools", "11.2.1", False, "registry"),
    }
    colorama = by_name(found, "colorama")
    assert colorama["markers"] == "sys_platform == 'win32'"  # from the edge that pulls it in
    assert colorama["line"] == line_of(path, 'name = "colorama"')
    assert len(colorama["hashes"]) == 2


def test_edge_sources(deps):
    found = deps(EDGE / "uv" / "uv.lock")
    assert table(found) == {
        ("app", "1.0.0", False, "workspace"),
        ("gitpkg", "0.3.0", True, "git"),
        ("internal", "2.0.0", True, "registry"),
        ("localpkg", "0.1.0", True, "path"),
        ("pytest-mini", "8.0.0", True, "registry"),      # a dev-dependency group is direct too
        ("urlpkg", "3.1", True, "url"),
    }
    assert by_name(found, "internal")["locator"] == "https://pypi.example.org/simple"
    assert by_name(found, "gitpkg")["locator"].endswith("#0123456789abcdef0123456789abcdef01234567")


def test_malformed(deps, tmp_path):
    f = tmp_path / "uv.lock"
    f.write_text('version = 1\nrequires-python = ">=3.11"\n\n[[package]]\nname = "x"\nversion = "1"\n')
    e = deps.error(f)  # no source
    assert e["key"] == "package[0].source" and e["line"] == 5
    f.write_text('version = 7\n')
    assert deps.error(f)["key"] == "version"
