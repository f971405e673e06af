from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_pipfile_lock_with_pipfile(deps):
    path = REAL / "pipenv" / "Pipfile.lock"
    found = deps(path)
    assert table(found) == {
        ("colorama", "0.4.6", True, "registry"),
        ("jaraco-classes", "3.4.0", True, "registry"),
        ("python-dateutil", "2.9.0.post0", True, "registry"),
        ("more-itertools", "11.2.1", False, "registry"),
        ("six", "1.17.0", True, "registry"),   # a [dev-packages] entry, and transitive in default
    }
    six = by_name(found, "six")
    assert six["dev"] is False                 # needed outside development too
    assert six["line"] == line_of(path, '"six"')
    assert by_name(found, "colorama")["markers"] == "sys_platform == 'win32'"


def test_edge_sources_without_pipfile(deps):
    found = deps(EDGE / "pipenv" / "Pipfile.lock")
    assert table(found) == {
        ("flask", "3.0.2", None, "registry"),
        ("gitpkg", None, None, "git"),
        ("localpkg", None, None, "path"),
        ("wheelpkg", "1.0", None, "url"),
        ("pytest", "8.1.1", None, "registry"),
    }
    assert by_name(found, "pytest")["dev"] is True


def test_malformed(deps, tmp_path):
    f = tmp_path / "Pipfile.lock"
    f.write_text('{\n  "_meta": {},\n  "default": {\n    "six": {"version": "1.17.0"}\n  }\n}\n')
    e = deps.error(f)
    assert e["line"] == 4 and e["key"] == "default.six.version" and "==" in e["message"]
    f.write_text('{\n  "_meta": {},\n  "default": {\n    "six": {"version": "==1"},\n  }\n}\n')
    e = deps.error(f)
    assert e["line"] == 5 and "invalid JSON" in e["message"]
