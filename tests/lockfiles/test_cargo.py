from __future__ import annotations

from .conftest import EDGE, REAL, by_name, line_of, table


def test_cargo_workspace(deps):
    path = REAL / "cargo" / "Cargo.lock"
    found = deps(path)
    assert table(found) == {
        ("demo-cli", "0.1.0", False, "workspace"),
        ("demo-core", "0.4.0", True, "workspace"),   # demo-cli depends on it by path
    }
    assert by_name(found, "demo-core")["line"] == line_of(path, 'name = "demo-core"')
    assert {d["ecosystem"] for d in found} == {"crates.io"}


def test_edge_sources(deps):
    found = deps(EDGE / "cargo" / "Cargo.lock")
    assert table(found) == {
        ("app", "0.1.0", False, "path"),             # no Cargo.toml beside it: a local crate
        ("gitcrate", "0.2.0", True, "git"),
        ("internal", "1.0.0", True, "registry"),
        ("serde", "1.0.197", True, "registry"),      # "serde 1.0.197" picks one of two versions
        ("serde", "0.9.15", False, "registry"),
    }
    assert by_name(found, "internal")["locator"] == "registry+https://my-registry.example.org/git/index"
    assert by_name(found, "serde", "1.0.197")["locator"] is None  # sparse crates.io index
    assert by_name(found, "serde", "1.0.197")["hashes"] == ["sha256:" + "3" * 64]


def test_v1_metadata_checksums(deps):
    found = deps(EDGE / "cargo-v1" / "Cargo.lock")
    libc = by_name(found, "libc")
    assert libc["direct"] is True and libc["hashes"] == ["sha256:" + "4" * 64]


def test_malformed(deps, tmp_path):
    f = tmp_path / "Cargo.lock"
    f.write_text('version = 3\n\n[[package]]\nname = "a"\nversion = "1.0"\ndependencies = ["b (x"]\n')
    e = deps.error(f)
    assert e["key"] == "package[0].dependencies[0]" and e["line"] == 4
    f.write_text('version = 3\n\n[[package]]\nname = "a"\nversion = 1\n')
    assert deps.error(f)["key"] == "package[0].version"
