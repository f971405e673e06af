from __future__ import annotations

import shutil

from .conftest import EDGE, REAL, by_name, line_of, table


def test_poetry_lock_with_pyproject(deps):
    path = REAL / "poetry" / "poetry.lock"
    found = deps(path)
    assert table(found) == {
        ("colorama", "0.4.6", True, "registry"),
        ("jaraco-classes", "3.4.0", True, "registry"),
        ("python-dateutil", "2.9.0.post0", True, "registry"),
        ("more-itertools", "11.2.1", False, "registry"),
        ("six", "1.17.0", False, "registry"),
    }
    colorama = by_name(found, "colorama")
    assert colorama["markers"] == 'sys_platform == "win32"'
    assert colorama["line"] == line_of(path, 'name = "colorama"')
    assert colorama["dev"] is False
    # The simple index on pypi.org, declared as a source, is still the default registry.
    assert all(d["locator"] is None for d in found)


def test_without_pyproject_direct_is_unknown(deps, tmp_path):
    shutil.copy(REAL / "poetry" / "poetry.lock", tmp_path / "poetry.lock")
    assert {d["direct"] for d in deps(tmp_path / "poetry.lock")} == {None}


def test_edge_sources(deps):
    found = deps(EDGE / "poetry" / "poetry.lock")
    assert table(found) == {
        ("django", "4.2.11", True, "registry"),          # "Django" normalised
        ("asgiref", "3.8.1", False, "registry"),
        ("gitdep", "0.5.0", True, "git"),
        ("localdir", "0.1.0", True, "path"),
        ("pytest", "8.1.1", True, "registry"),           # a group's dependency is direct
        ("urldep", "1.0", True, "url"),
    }
    assert by_name(found, "pytest")["locator"] == "https://mirror.example.org/simple"
    assert by_name(found, "gitdep")["locator"].endswith("@0123456789abcdef0123456789abcdef01234567")


def test_old_lock_categories(deps, tmp_path):
    f = tmp_path / "poetry.lock"
    f.write_text('[[package]]\nname = "pytest"\nversion = "7.0.0"\ncategory = "dev"\n'
                 'python-versions = "*"\n\n[metadata]\nlock-version = "1.1"\ncontent-hash = "x"\n')
    (d,) = deps(f)
    assert d["dev"] is True and d["version"] == "7.0.0"


def test_malformed(deps, tmp_path):
    f = tmp_path / "poetry.lock"
    f.write_text('[[package]]\nname = "a"\n\n[[package]]\nname = "b"\nversion = "1"\n'
                 '[metadata]\nlock-version = "2.0"\n')
    e = deps.error(f)
    assert e["key"] == "package[0].version" and e["line"] == 2
