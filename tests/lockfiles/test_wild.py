"""Lockfile formats as the real tools write them, from well-known projects (fixtures/lockfiles/wild,
sources in its README): bun.lock, deno.lock 2/4/5, pdm.lock, pixi.lock 5/6, conda-lock.yml."""

from __future__ import annotations

from pathlib import Path

from lockfiles.conftest import by_name

WILD = Path(__file__).resolve().parent.parent / "fixtures" / "lockfiles" / "wild"


def test_bun_lock_jsonc_with_nested_copies(deps):
    found = deps(WILD / "hono-bun" / "bun.lock")
    assert len(found) == 137 and all(d["source"] == "registry" for d in found)
    express = by_name(found, "express")
    assert (express["version"], express["direct"], express["dev"]) == ("4.21.2", True, False)
    assert express["hashes"][0].startswith("sha512-28HqgMZA")
    tsx = by_name(found, "tsx")
    assert (tsx["direct"], tsx["dev"]) == (True, True)  # a devDependency of the workspace
    # A nested copy (send/node_modules/ms) is its own release, transitive.
    ms = {d["version"]: d for d in found if d["name"] == "ms"}
    assert set(ms) >= {"2.0.0", "2.1.3"} and ms["2.1.3"]["direct"] is False
    assert deps.fmt(WILD / "hono-bun" / "bun.lock") == "bun.lock"


def test_bun_lock_comments_and_trailing_commas_do_not_break_strings(deps, tmp_path):
    f = tmp_path / "bun.lock"
    f.write_text('{\n  // written by hand\n  "lockfileVersion": 1,\n  "workspaces": {\n'
                 '    "": { "name": "app", "dependencies": { "left-pad": "^1" }, },\n  },\n'
                 '  "packages": {\n    /* the // in the URL is not a comment */\n'
                 '    "left-pad": ["left-pad@1.3.0", "https://registry.example.com/", {}, "sha512-x"],\n'
                 '    "gitdep": ["gitdep@github:user/repo#abc", {}, "user-repo-abc"],\n'
                 '    "app-ws": ["app-ws@workspace:packages/ws"],\n  },\n}\n')
    found = deps(f)
    pad = by_name(found, "left-pad")
    assert (pad["version"], pad["line"], pad["locator"]) == ("1.3.0", 9, "https://registry.example.com/")
    assert by_name(found, "gitdep")["source"] == "git"
    assert by_name(found, "app-ws")["source"] == "workspace"


def test_bun_lockb_is_refused_with_the_way_out(deps, tmp_path):
    f = tmp_path / "bun.lockb"
    f.write_bytes(b"#!/usr/bin/env bun\nbun-lockfile-format-v0\n\x00\x01\x02")
    e = deps.error(f)
    assert "binary lockfile" in e["message"] and "--save-text-lockfile" in e["message"]


def test_deno_lock_versions_2_4_5(deps):
    v2 = deps(WILD / "hono-deno-v2" / "deno.lock")
    assert len(v2) == 38 and by_name(v2, "find-my-way")["direct"] is True
    assert by_name(v2, "@types/node")["direct"] is False
    v4 = deps(WILD / "hono-deno-v4" / "deno.lock")
    assert {(d["name"], d["version"], d["direct"]) for d in v4} == {
        ("@types/node", "22.5.4", True), ("undici-types", "6.19.8", False)}
    v5 = deps(WILD / "fresh-deno-v5" / "deno.lock")
    assert len(v5) == 808
    # a peer suffix (`_@algolia+client-search@5.50.0…`) is not part of the version
    assert by_name(v5, "@algolia/autocomplete-core")["version"] == "1.17.9"
    code, doc, err = deps.run(WILD / "fresh-deno-v5" / "deno.lock")
    assert "48 JSR or remote module(s) not checked" in " ".join(doc["notes"])


def test_pdm_lock_groups(deps):
    found = deps(WILD / "pdm" / "pdm.lock")
    assert len(found) == 96
    anyio = by_name(found, "anyio")
    assert (anyio["version"], anyio["dev"], anyio["line"]) == ("4.13.0", False, 14)
    assert by_name(found, "pytest")["dev"] is True  # only in the pytest and test groups
    assert len(anyio["hashes"]) == 2


def test_pixi_lock_pypi_entries_only(deps):
    found = deps(WILD / "pixi-v6-source-deps" / "pixi.lock")
    kinds = {d["name"]: (d["source"], d["version"]) for d in found}
    assert kinds["blinker"] == ("registry", "1.9.0")
    assert kinds["flask"][0] == "git" and kinds["click"] == ("url", "8.1.7")
    assert kinds["minimal-project"][0] == "path"
    code, doc, _ = deps.run(WILD / "pixi-v6-source-deps" / "pixi.lock")
    assert any("conda package(s) not checked" in n for n in doc["notes"])


def test_pixi_lock_custom_index_is_private(deps):
    found = deps(WILD / "pixi-v5-custom-registry" / "pixi.lock")
    flask = {d["source"]: d for d in found if d["name"] == "flask"}
    # The default environment's copy comes from PyPI; the other environment's from a mirror
    # that pkgtrace cannot tell from a private index: not looked up on PyPI.
    assert flask["registry"]["version"] == "3.0.3" and flask["registry"]["locator"] is None
    assert flask["private"]["locator"] == "https://pypi.tuna.tsinghua.edu.cn"


def test_conda_lock_pip_packages(deps):
    found = deps(WILD / "yi-conda-lock" / "conda-lock.yml")
    assert {(d["name"], d["version"], d["source"]) for d in found} == {
        ("flash-attn", "2.3.6", "registry"), ("ninja", "1.11.1.1", "registry")}
    assert by_name(found, "ninja")["hashes"] == [
        "sha256:84502ec98f02a037a169c4b0d5d86075eaf6afc55e1879003d6cab51ced2ea4b"]
