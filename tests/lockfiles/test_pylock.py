from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table

WITHOUT_ROOTS = {  # PEP 751 records no roots: direct stays unknown
    ("jaraco-classes", "3.4.0", None, "registry"),
    ("more-itertools", "11.2.1", None, "registry"),
    ("python-dateutil", "2.9.0.post0", None, "registry"),
    ("six", "1.17.0", None, "registry"),
}


def test_pip_lock(deps):
    path = REAL / "pip-lock" / "pylock.toml"
    found = deps(path)
    assert table(found) == WITHOUT_ROOTS | {("demo", None, None, "workspace")}  # the project itself, at "."
    assert by_name(found, "six")["line"] == line_of(path, 'name = "six"')
    assert by_name(found, "six")["hashes"] == [
        "sha256:4721f391ed90541fddacab5acf947aa0d3dc7d27b2e1e8eda2be8970586c3274"]


def test_uv_export_pylock(deps):
    path = REAL / "uv-pylock" / "pylock.toml"
    found = deps(path)
    assert table(found) == WITHOUT_ROOTS | {("colorama", "0.4.6", None, "registry"),
                                            ("member", None, None, "path")}
    assert by_name(found, "colorama")["markers"] == "sys_platform == 'win32'"
    assert len(by_name(found, "six")["hashes"]) == 2  # sdist and wheel


def test_edge_cases(deps):
    path = EDGE / "pylock" / "pylock.dev.toml"  # pylock.<name>.toml is detected by name too
    assert deps.fmt(path) == "pylock.toml"
    found = deps(path)
    assert table(found) == {
        ("attrs", "23.2.0", None, "registry"),
        ("pywin32", "306", None, "registry"),
        ("vcspkg", "0.2.0", None, "git"),
        ("archpkg", None, None, "url"),
        ("private", "1.0", None, "registry"),
    }
    assert by_name(found, "private")["locator"] == "https://pypi.example.org/simple"  # not PyPI
    assert by_name(found, "attrs")["locator"] is None
    assert by_name(found, "pywin32")["markers"] == "sys_platform == 'win32'"


def test_malformed(deps, tmp_path):
    f = tmp_path / "pylock.toml"
    f.write_text('lock-version = "1.0"\n\n[[packages]]\nname = "a"\nversion = 1.0\n')
    e = deps.error(f)
    assert e["key"] == "packages[0].version" and e["line"] == 4  # the package's name line
    f.write_text('lock-version = "2.0"\n')
    assert deps.error(f)["key"] == "lock-version"
    f.write_text('lock-version = "1.0"\n[[packages]\n')
    e = deps.error(f)
    assert e["line"] == 2 and "invalid TOML" in e["message"]
