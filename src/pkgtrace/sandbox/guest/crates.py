"""crates.io phases inside the sandbox: `install ARTIFACT NAME VERSION` and `import`.

install: unpack the .crate and make a fresh binary crate that depends on it by path; `cargo build`
compiles it and its dependencies, running their build scripts and proc macros, as for a user.
Dependencies come from crates.io (sparse index through the simulator's pass-through) or, when a
local mirror is mounted at /pkgtrace/mirror/crates, only from the .crate files there (a vendored
"directory" source replacing crates-io).
import: run the binary, whose main links the library under its Rust name (hyphens become
underscores, or the [lib] name the manifest declares).
"""
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

MIRROR = "/pkgtrace/mirror/crates"
WORK = "/work/cargo"
PROBE = WORK + "/probe"
CARGO_HOME = WORK + "/home"
VENDOR = WORK + "/vendor"


def unpack(crate, dest):
    """Unpack a .crate (NAME-VERSION/...) into DEST; return the folder it made."""
    with tarfile.open(crate, "r:gz") as t:
        members = [m for m in t.getmembers() if (m.isfile() or m.isdir()) and not m.name.startswith("/")
                   and ".." not in m.name.split("/")]
        t.extractall(dest, members=members)
        return os.path.join(dest, members[0].name.split("/")[0])


def vendor_mirror():
    """The mirror's .crate files as a directory source (the layout `cargo vendor` writes)."""
    os.makedirs(VENDOR, exist_ok=True)
    for fn in sorted(os.listdir(MIRROR)):
        if not fn.endswith(".crate"):
            continue
        path = os.path.join(MIRROR, fn)
        folder = unpack(path, VENDOR)
        with open(path, "rb") as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        with open(os.path.join(folder, ".cargo-checksum.json"), "w") as f:
            json.dump({"files": {}, "package": digest}, f)


def cargo_config():
    if os.path.isdir(MIRROR):
        vendor_mirror()
        return ('[source.crates-io]\nreplace-with = "pkgtrace-mirror"\n'
                f'[source.pkgtrace-mirror]\ndirectory = "{VENDOR}"\n')
    # Cargo 1.65 knows the sparse protocol behind -Z sparse-registry; the git index would be a
    # clone of the whole of crates.io through the simulator.
    return ('[source.crates-io]\nreplace-with = "crates-io-sparse"\n'
            '[source.crates-io-sparse]\nregistry = "sparse+https://index.crates.io/"\n')


def lib_name(src):
    """The library's Rust name, or None when the crate has no library target."""
    with open(os.path.join(src, "Cargo.toml"), "rb") as f:
        manifest = tomllib.load(f)
    lib = manifest.get("lib")
    pkg = manifest.get("package") or {}
    if isinstance(lib, dict) and isinstance(lib.get("name"), str):
        return lib["name"].replace("-", "_")
    path = lib.get("path") if isinstance(lib, dict) else None
    if lib is None and not os.path.exists(os.path.join(src, "src", "lib.rs")) and not path:
        return None
    return str(pkg.get("name", "")).replace("-", "_") or None


def install(crate, name, version):
    os.makedirs(CARGO_HOME, exist_ok=True)
    src = unpack(crate, WORK)
    with open(os.path.join(CARGO_HOME, "config.toml"), "w") as f:
        f.write(cargo_config())
    lib = lib_name(src)
    os.makedirs(PROBE + "/src", exist_ok=True)
    dep = json.dumps(src)
    with open(PROBE + "/Cargo.toml", "w") as f:
        f.write('[package]\nname = "pkgtrace-probe"\nversion = "0.0.0"\nedition = "2018"\n\n'
                f'[dependencies]\n{json.dumps(name)} = {{ path = {dep} }}\n\n[workspace]\n')
    with open(PROBE + "/src/main.rs", "w") as f:
        if lib:
            f.write(f"#[allow(unused_extern_crates)]\nextern crate {lib};\n"
                    f'fn main() {{ println!("pkgtrace: linked {lib}"); }}\n')
        else:
            f.write('fn main() { println!("pkgtrace: no library to link"); }\n')
    with open(WORK + "/lib", "w") as f:
        f.write(lib or "")
    cmd = ["cargo", "build", "--jobs", "2"]
    env = {**os.environ, "CARGO_HOME": CARGO_HOME, "CARGO_TERM_COLOR": "never"}
    if not os.path.isdir(MIRROR):
        cmd.insert(1, "-Zsparse-registry")
        env["__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS"] = "nightly"
    if not lib:
        # A binary-only crate: nothing can depend on it, so build it on its own (build.rs runs).
        cmd_dir = src
    else:
        cmd_dir = PROBE
    rc = subprocess.call(cmd, cwd=cmd_dir, env=env)
    harness.note("install", reason=(f"cargo build exited {rc}" if rc else None) or
                 (None if lib else "no library target: built the crate's own binaries instead"),
                 lib=lib)
    return rc


def run_import():
    with open(WORK + "/lib") as f:
        lib = f.read().strip()
    if not lib:
        harness.note("import", reason="no library target: nothing to link")
        return 0
    binary = PROBE + "/target/debug/pkgtrace-probe"
    if not os.path.exists(binary):
        harness.note("import", reason="the probe binary was not built (install failed)")
        return 3
    rc = subprocess.call([binary], cwd=PROBE, timeout=120)
    harness.note("import", reason=f"probe binary linking {lib} exited {rc}")
    return rc


if __name__ == "__main__":
    os.chdir("/work")
    sys.exit(install(*sys.argv[2:5]) if sys.argv[1] == "install" else run_import())
