from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_pip_compile_with_hashes(deps):
    path = REAL / "pip-tools" / "requirements.txt"
    found = deps(path)
    assert table(found) == {
        ("jaraco-classes", "3.4.0", True, "registry"),      # from `# via -r requirements.in`
        ("more-itertools", "11.2.1", False, "registry"),    # `# via jaraco-classes`
        ("python-dateutil", "2.9.0.post0", True, "registry"),
        ("six", "1.17.0", False, "registry"),
    }
    six = by_name(found, "six")
    assert six["line"] == line_of(path, "six==")
    assert len(six["hashes"]) == 2 and all(h.startswith("sha256:") for h in six["hashes"])
    assert all(d["ecosystem"] == "pypi" for d in found)


def test_hand_made_edge_cases(deps):
    path = EDGE / "requirements" / "requirements.txt"
    found = deps(path)
    assert table(found) == {
        ("requests", "2.31.0", None, "registry"),        # extras dropped, name PEP 503-normalised
        ("zope-interface", "6.4.post2", None, "registry"),
        ("colorama", "0.4.6", None, "registry"),
        ("loose", None, None, "registry"),               # not pinned: reported, never looked up
        ("six", "1.17.0", None, "registry"),             # in base.txt (-r) and here: once
        ("editable-pkg", None, None, "git"),
        ("vcspkg", None, None, "git"),
        ("urlpkg", "3.1", None, "url"),
        ("localwheel", "2.0", None, "path"),
        ("arbitrary", "1.0-custom", None, "registry"),   # === arbitrary equality pins too
    }
    assert by_name(found, "colorama")["markers"] == 'sys_platform == "win32"'
    assert by_name(found, "colorama")["line"] == line_of(path, "colorama==")
    assert by_name(found, "requests")["markers"] == 'python_version >= "3.8"'
    six = by_name(found, "six")
    assert six["file"].endswith("base.txt") and six["line"] == 2  # where it was first pinned
    assert by_name(found, "vcspkg")["locator"].startswith("git+https://github.com/example/vcspkg.git@")


def test_malformed_lines_are_named(deps, tmp_path):
    f = tmp_path / "requirements.txt"
    f.write_text("six==1.17.0\nfoo==1.0 --hash=sha256:zz\n")
    e = deps.error(f)
    assert e["line"] == 2 and "--hash" in e["message"]

    f.write_text("ok==1\n\nbad name==1.0\n")
    e = deps.error(f)
    assert e["line"] == 3 and "invalid requirement" in e["message"]

    f.write_text("--no-such-option\n")
    assert deps.error(f)["line"] == 1

    f.write_text("six==1\n-r missing.txt\n")
    e = deps.error(f)
    assert e["line"] == 2 and "missing.txt" in e["message"]


def test_include_cycles_and_continuations(deps, tmp_path):
    (tmp_path / "a.txt").write_text("-r b.txt\nalpha==1.0 \\\n   --hash=sha256:00\n")
    (tmp_path / "b.txt").write_text("-r a.txt\nbeta==2.0\n")
    found = deps(tmp_path / "a.txt")
    assert table(found) == {("alpha", "1.0", None, "registry"), ("beta", "2.0", None, "registry")}
    assert by_name(found, "alpha")["hashes"] == ["sha256:00"]
