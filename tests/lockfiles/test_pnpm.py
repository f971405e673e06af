from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_pnpm_v9_workspace(deps):
    path = REAL / "pnpm" / "pnpm-lock.yaml"
    found = deps(path)
    assert table(found) == {
        ("@isaacs/string-locale-compare", "1.1.0", True, "registry"),
        ("is-number", "6.0.0", True, "registry"),   # packages/app's importer
        ("is-number", "7.0.0", True, "registry"),
        ("is-odd", "3.0.1", True, "registry"),
        ("ms", "2.1.2", True, "registry"),          # my-ms -> ms@2.1.2
        ("ms", "2.1.3", True, "registry"),
    }
    assert by_name(found, "is-odd")["line"] == line_of(path, "  is-odd@3.0.1:")


def test_pnpm_v9_edge_cases(deps):
    found = deps(EDGE / "pnpm-v9" / "pnpm-lock.yaml")
    assert table(found) == {
        ("@edge/util", None, True, "workspace"),    # link:libs/util
        ("@other/real", "2.1.0", True, "registry"),
        ("gitdep", "1.0.0", True, "git"),
        ("left-pad", "1.3.0", True, "registry"),
        ("localdep", None, True, "path"),
        ("react", "18.2.0", True, "registry"),
        ("react-dom", "18.2.0", True, "registry"),  # peer suffix (react@18.2.0) stripped
        ("tarball", "1.0.0", True, "url"),
    }


def test_pnpm_v6(deps):
    found = deps(EDGE / "pnpm-v6" / "pnpm-lock.yaml")
    assert table(found) == {
        ("@other/real", "2.1.0", True, "registry"),
        ("gitdep", "1.0.0", True, "git"),
        ("loose-envify", "1.4.0", False, "registry"),
        ("react", "18.2.0", True, "registry"),
        ("react-dom", "18.2.0", True, "registry"),
    }
    assert by_name(found, "react")["dev"] is True


def test_pnpm_v5(deps):
    found = deps(EDGE / "pnpm-v5" / "pnpm-lock.yaml")
    assert table(found) == {
        ("@babel/core", "7.24.0", True, "registry"),
        ("ms", "2.1.2", True, "registry"),           # my-alias: /ms/2.1.2
        ("react", "18.2.0", False, "registry"),
        ("react-dom", "18.2.0", True, "registry"),   # 18.2.0_react@18.2.0
    }


def test_malformed(deps, tmp_path):
    f = tmp_path / "pnpm-lock.yaml"
    f.write_text("lockfileVersion: '9.0'\n\npackages:\n\n  nonsense:\n    resolution: {integrity: x}\n")
    e = deps.error(f)
    assert e["line"] == 5 and e["key"] == "packages.nonsense"
    f.write_text("lockfileVersion: '3.0'\n")
    assert deps.error(f)["key"] == "lockfileVersion"
