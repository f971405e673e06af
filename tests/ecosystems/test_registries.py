"""The five registries against a loopback server that answers their real response shapes."""

from __future__ import annotations

import gzip

import pytest

from pkgtrace.ecosystems import RegistryError, registry_for
from pkgtrace.model import Ecosystem, sha256_file
from static.builders import composer_bytes, crate_bytes, gem_bytes, npm_bytes, oversized_spec_tail, tar_bytes


# -- RubyGems ---------------------------------------------------------------------------------

def test_rubygems_latest_download_and_checksum(registry, tmp_path):
    data = gem_bytes("evilgem", "1.2.3", {"lib/evilgem.rb": b"puts 1\n"}, ["ext/extconf.rb"])
    registry.add_gem("evilgem", "1.2.3", data)
    rg = registry_for(Ecosystem.RUBYGEMS)
    pkg = rg.resolve("evilgem")
    assert (pkg.name, pkg.version) == ("evilgem", "1.2.3")
    art = rg.download(pkg, tmp_path)
    assert art.path.read_bytes() == data and art.url.endswith("/gems/evilgem-1.2.3.gem")
    assert art.sha256 == sha256_file(art.path)
    assert rg.identify_local(art.path) == pkg
    asked = [p for p, _ in registry.requests]
    assert "/api/v1/versions/evilgem/latest.json" in asked
    assert "/api/v2/rubygems/evilgem/versions/1.2.3.json" in asked


def test_rubygems_specific_version_and_platform_gem(registry, tmp_path):
    data = gem_bytes("natgem", "2.0.0", {"lib/n.rb": b""})
    registry.add_gem("natgem", "2.0.0", data, latest=False, platform="x86_64-linux")
    registry.blob("/gems/natgem-2.0.0-x86_64-linux.gem", data)
    rg = registry_for(Ecosystem.RUBYGEMS)
    pkg = rg.resolve("natgem", "2.0.0")
    art = rg.download(pkg, tmp_path)
    assert art.path.name == "natgem-2.0.0-x86_64-linux.gem"


def test_rubygems_checksum_mismatch_and_unknown(registry, tmp_path):
    registry.add_gem("bad", "1.0.0", gem_bytes("bad", "1.0.0", {}), sha="00" * 32)
    rg = registry_for(Ecosystem.RUBYGEMS)
    with pytest.raises(RegistryError, match="digest mismatch"):
        rg.download(rg.resolve("bad"), tmp_path)
    assert not list(tmp_path.iterdir())  # nothing half-written is left behind
    registry.json("/api/v1/versions/nosuch/latest.json", {"version": "unknown"})
    with pytest.raises(RegistryError, match="no releases"):
        rg.resolve("nosuch")
    with pytest.raises(RegistryError, match="not found"):
        rg.resolve("nosuch", "9.9")


# -- Packagist --------------------------------------------------------------------------------

def test_packagist_minified_p2_latest_stable(registry, tmp_path):
    z = composer_bytes("acme/widget", {"src/W.php": b"<?php echo 1;"}, top="acme-widget-abc123/")
    registry.add_composer("acme/widget", [("v2.0.0-RC1", None), ("v1.4.0", z), ("v1.3.9", None),
                                          ("dev-main", None)])
    pk = registry_for(Ecosystem.PACKAGIST)
    pkg = pk.resolve("acme/widget")
    assert pkg.version == "v1.4.0"  # newest stable, not the RC nor the dev branch
    art = pk.download(pkg, tmp_path)
    assert art.path.read_bytes() == z
    assert pk.resolve("acme/widget", "1.3.9").version == "v1.3.9"
    assert pk.identify_local(art.path).name == "acme/widget"


def test_packagist_bad_names_and_missing(registry):
    pk = registry_for(Ecosystem.PACKAGIST)
    with pytest.raises(RegistryError, match="vendor/name"):
        pk.resolve("../../etc/passwd")
    with pytest.raises(RegistryError, match="not found"):
        pk.resolve("acme/missing")


def test_packagist_expand_minified_unset():
    from pkgtrace.ecosystems.packagist import expand_minified
    out = expand_minified([{"version": "2.0", "a": 1, "b": 2}, {"version": "1.0", "b": "__unset"}])
    assert out == [{"version": "2.0", "a": 1, "b": 2}, {"version": "1.0", "a": 1}]


# -- crates.io --------------------------------------------------------------------------------

def test_crates_latest_stable_redirected_download(registry, tmp_path):
    new = crate_bytes("sneaky", "0.3.0-beta.1", {"build.rs": b"fn main(){}"})
    old = crate_bytes("sneaky", "0.2.1", {"build.rs": b"fn main(){}"})
    registry.add_crate("sneaky", [("0.3.0-beta.1", new, False), ("0.2.1", old, False)],
                       max_stable="0.2.1")
    cr = registry_for(Ecosystem.CRATES)
    pkg = cr.resolve("sneaky")
    assert pkg.version == "0.2.1"
    art = cr.download(pkg, tmp_path)
    assert art.path.read_bytes() == old
    assert ("/api/v1/crates/sneaky/0.2.1/download" in [p for p, _ in registry.requests])
    assert all("pkgtrace" in h.get("User-Agent", "") for _, h in registry.requests)
    assert cr.identify_local(art.path) == pkg


def test_crates_checksum_mismatch_and_bad_name(registry, tmp_path):
    registry.add_crate("c1", [("1.0.0", crate_bytes("c1", "1.0.0", {}), False)], checksum="ab" * 32)
    cr = registry_for(Ecosystem.CRATES)
    with pytest.raises(RegistryError, match="digest mismatch"):
        cr.download(cr.resolve("c1"), tmp_path)
    with pytest.raises(RegistryError, match="not a crate name"):
        cr.resolve("../x")
    with pytest.raises(RegistryError, match="no version 9.9.9"):
        cr.resolve("c1", "9.9.9")


# -- PyPI and npm (the lead's modules) against the same server --------------------------------

def test_pypi_json_api_download(registry, tmp_path):
    sdist = tar_bytes({"demo-1.0/PKG-INFO": b"Name: demo\nVersion: 1.0\n",
                       "demo-1.0/setup.py": b"from setuptools import setup\nsetup()\n"})
    digest = registry.blob("/files/demo-1.0.tar.gz", sdist)
    doc = {"info": {"name": "demo", "version": "1.0"},
           "urls": [{"filename": "demo-1.0.tar.gz", "url": registry.url + "/files/demo-1.0.tar.gz",
                     "packagetype": "sdist", "digests": {"sha256": digest}, "yanked": False}]}
    registry.json("/pypi/demo/json", doc)
    registry.json("/pypi/demo/1.0/json", doc)
    reg = registry_for(Ecosystem.PYPI)
    pkg = reg.resolve("demo")
    assert pkg.version == "1.0"
    assert reg.download(pkg, tmp_path).path.read_bytes() == sdist


def _wheel_listing(registry, name: str, version: str, filenames: list[str]) -> None:
    files = []
    for fn in filenames:
        digest = registry.blob(f"/files/{fn}", fn.encode())  # the bytes name the file chosen
        files.append({"filename": fn, "url": registry.url + f"/files/{fn}", "yanked": False,
                      "packagetype": "sdist" if fn.endswith(".tar.gz") else "bdist_wheel",
                      "digests": {"sha256": digest}})
    doc = {"info": {"name": name, "version": version}, "urls": files}
    registry.json(f"/pypi/{name}/json", doc)
    registry.json(f"/pypi/{name}/{version}/json", doc)


# frozenlist 1.8.0's real listing (a part of it): the aarch64 and ppc64le wheels come first
_FROZENLIST = ["frozenlist-1.8.0-cp311-cp311-manylinux1_aarch64.manylinux_2_28_aarch64.manylinux_2_5_aarch64.whl",
               "frozenlist-1.8.0-cp311-cp311-manylinux_2_28_ppc64le.whl",
               "frozenlist-1.8.0-cp311-cp311-musllinux_1_2_x86_64.whl",
               "frozenlist-1.8.0-cp311-cp311-macosx_11_0_arm64.whl",
               "frozenlist-1.8.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
               "frozenlist-1.8.0-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl",
               "frozenlist-1.8.0-py3-none-any.whl",
               "frozenlist-1.8.0.tar.gz"]


def _chosen(registry, tmp_path, name: str, filenames: list[str]) -> str:
    _wheel_listing(registry, name, "1.8.0", filenames)
    reg = registry_for(Ecosystem.PYPI)
    return reg.download(reg.resolve(name), tmp_path).path.name


def test_pypi_download_takes_the_wheel_the_guest_installs(registry, tmp_path):
    # the guest is CPython 3.11 on x86_64 glibc: its own wheel beats the pure one and the sdist
    assert _chosen(registry, tmp_path / "a", "frozenlist", _FROZENLIST) == _FROZENLIST[5]
    assert _chosen(registry, tmp_path / "b", "frozenlist", _FROZENLIST[:5] + _FROZENLIST[6:]) == \
        "frozenlist-1.8.0-py3-none-any.whl"


def test_pypi_download_never_takes_a_wheel_for_another_machine(registry, tmp_path):
    # a wheel whose name merely contains cp311-cp311-manylinux (aarch64, ppc64le), a musl or
    # a newer-glibc wheel, another Python's: the sdist instead; with no sdist, whatever is listed
    assert _chosen(registry, tmp_path / "a", "frozenlist", _FROZENLIST[:5] + _FROZENLIST[7:]) == \
        "frozenlist-1.8.0.tar.gz"
    newer_glibc = "frozenlist-1.8.0-cp311-cp311-manylinux_2_39_x86_64.whl"
    assert _chosen(registry, tmp_path / "b", "frozenlist", [newer_glibc, _FROZENLIST[7]]) == \
        "frozenlist-1.8.0.tar.gz"
    assert _chosen(registry, tmp_path / "c", "frozenlist", _FROZENLIST[:2]) == _FROZENLIST[0]


def test_npm_packument_download(registry, tmp_path):
    import base64
    import hashlib
    tgz = npm_bytes("left-pad", "1.3.0", {"index.js": b"module.exports=1"})
    registry.blob("/left-pad/-/left-pad-1.3.0.tgz", tgz)
    integrity = "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode()
    registry.json("/left-pad", {"name": "left-pad", "dist-tags": {"latest": "1.3.0"}, "versions": {
        "1.3.0": {"name": "left-pad", "version": "1.3.0",
                  "dist": {"tarball": registry.url + "/left-pad/-/left-pad-1.3.0.tgz",
                           "integrity": integrity}}}})
    reg = registry_for(Ecosystem.NPM)
    pkg = reg.resolve("left-pad")
    art = reg.download(pkg, tmp_path)
    assert art.path.read_bytes() == tgz
    assert reg.identify_local(art.path) == pkg


def test_npm_history_is_as_of_the_release_and_names_the_previous_hook(registry):
    from pkgtrace.ecosystems import release_history
    versions = {v: {"name": "hooked", "version": v, **({"hasInstallScript": True} if v == "1.1.0" else {})}
                for v in ("1.0.0", "1.1.0", "2.0.0")}
    registry.json("/hooked", {"name": "hooked", "dist-tags": {"latest": "2.0.0"}, "versions": versions})
    h = registry_for(Ecosystem.NPM).history("hooked", "2.0.0")
    assert (h.release_count, h.previous_version, h.previous_had_install_hook) == (3, "1.1.0", True)
    first = release_history("npm", "hooked", "1.0.0")
    assert first["release_count"] == 1 and first["previous_version"] is None
    assert first["previous_had_install_hook"] is None
    # a registry that answers garbage, or a package it does not have: no history, no exception
    registry.json("/garbled", ["not", "a", "packument"])
    assert release_history("npm", "garbled", "1.0.0") is None
    assert release_history("npm", "missing", "1.0.0") is None
    assert release_history("rubygems", "rake", "13.0.0") is None  # this registry reads no history


@pytest.mark.parametrize("ecosystem,member", [(Ecosystem.PACKAGIST, "composer.json"),
                                              (Ecosystem.PYPI, "bomb-1.0/PKG-INFO")])
def test_a_manifest_bomb_in_a_local_artifact_costs_a_bounded_read(tmp_path, ecosystem, member):
    # 96 MiB of manifest in a hundred KiB of zip: naming the release reads its first MiB,
    # never the whole member into memory.
    import tracemalloc
    import zipfile
    path = tmp_path / "bomb-1.0.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z, z.open(member, "w") as f:
        for _ in range(96):
            f.write(b" " * (1 << 20))
    tracemalloc.start()
    try:
        with pytest.raises(RegistryError):
            reg = registry_for(ecosystem)
            if ecosystem is Ecosystem.PYPI:
                from pkgtrace.ecosystems.pypi import identify_file
                path = path.rename(tmp_path / "bomb.zip")  # no version in the name: PKG-INFO decides
                identify_file(path)
            else:
                reg.identify_local(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 32 << 20, peak


@pytest.mark.parametrize("kind", ["padding", "bomb"])
def test_a_gem_whose_metadata_expands_past_the_limit_is_named_from_its_head(tmp_path, kind):
    # The spec leads metadata.gz: naming the release reads a bounded head, never the rest.
    import tracemalloc
    path = tmp_path / "big-1.0.0.gem"
    path.write_bytes(gem_bytes("big", "1.0.0", {"lib/big.rb": b""}, spec_tail=oversized_spec_tail(kind)))
    tracemalloc.start()
    try:
        pkg = registry_for(Ecosystem.RUBYGEMS).identify_local(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (pkg.name, pkg.version) == ("big", "1.0.0")
    assert peak < 32 << 20, peak


@pytest.mark.parametrize("metadata", [
    None, b"not gzip at all", gzip.compress(b"", mtime=0)[:10] + b"\x07" * 64,
    gzip.compress(b"--- {}\n", mtime=0)[:-20], gzip.compress(b"---\nsummary: no name\n", mtime=0)],
    ids=["missing", "not-gzip", "corrupt-deflate", "truncated", "no-name"])
def test_a_gem_without_a_readable_spec_is_a_registry_error(tmp_path, metadata):
    members = {"data.tar.gz": tar_bytes({"lib/a.rb": b""}), "checksums.yaml.gz": gzip.compress(b"---\n")}
    if metadata is not None:
        members = {"metadata.gz": metadata, **members}
    path = tmp_path / "broken-1.0.0.gem"
    path.write_bytes(tar_bytes(members, compress=""))
    with pytest.raises(RegistryError, match="no metadata.gz with a name and version"):
        registry_for(Ecosystem.RUBYGEMS).identify_local(path)
    path.write_bytes(b"not a tar either")
    with pytest.raises(RegistryError, match="no metadata.gz with a name and version"):
        registry_for(Ecosystem.RUBYGEMS).identify_local(path)
