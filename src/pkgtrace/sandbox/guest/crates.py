"""crates.io phases inside the sandbox: `install ARTIFACT NAME VERSION` and `import`.

install: unpack the .crate and make a fresh binary crate that depends on it by path; `cargo build`
compiles it and its dependencies, running their build scripts and proc macros, as for a user.
Dependencies come from crates.io (sparse index through the simulator's pass-through) or, when a
local mirror is mounted at /srv/mirror/crates, only from the .crate files there (a vendored
"directory" source replacing crates-io).
import: run the binary, whose main links the library under its Rust name (hyphens become
underscores, or the [lib] name the manifest declares).
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tarfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

MIRROR = "/srv/mirror/crates"
WORK = "/work/cargo"
PROBE = WORK + "/probe"
MACRO_PROBE = WORK + "/macro-probe"
TARGET = WORK + "/target"  # shared by both probes: the crate is compiled once
CARGO_HOME = WORK + "/home"
VENDOR = WORK + "/vendor"


def unpack(crate, dest):
    """Unpack a .crate (NAME-VERSION/...) into DEST; return the folder it made."""
    with tarfile.open(crate, "r:gz") as t:
        members = [m for m in t.getmembers() if (m.isfile() or m.isdir()) and not m.name.startswith("/")
                   and ".." not in m.name.split("/")]
        if not members:
            raise ValueError(f"{crate}: an empty .crate")
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
        return ('[source.crates-io]\nreplace-with = "vendored"\n'
                f'[source.vendored]\ndirectory = "{VENDOR}"\n')
    # The image's cargo (1.85 or later) reads crates.io through the sparse index
    # (index.crates.io), its default since 1.70; the git index would be a clone of all of it.
    return ""


def manifest_of(src):
    with open(os.path.join(src, "Cargo.toml"), "rb") as f:
        return tomllib.load(f)


def lib_name(src, manifest):
    """The library's Rust name, or None when the crate has no library target."""
    lib = manifest.get("lib")
    pkg = manifest.get("package") or {}
    if isinstance(lib, dict) and isinstance(lib.get("name"), str):
        return lib["name"].replace("-", "_")
    path = lib.get("path") if isinstance(lib, dict) else None
    if lib is None and not os.path.exists(os.path.join(src, "src", "lib.rs")) and not path:
        return None
    return str(pkg.get("name", "")).replace("-", "_") or None


_ATTRS = r"(?:\s*#\[[^\]]*\])*\s*pub\s+fn\s+(\w+)"
_MACROS = re.compile(r"#\[proc_macro_derive\(\s*(\w+)|#\[proc_macro_attribute\]" + _ATTRS
                     + r"|#\[proc_macro\]" + _ATTRS)


def proc_macros(src, manifest):
    """(kind, name) of every macro a proc-macro crate exports, found in its sources."""
    lib = manifest.get("lib") if isinstance(manifest.get("lib"), dict) else {}
    if not (lib.get("proc-macro") or lib.get("proc_macro")):
        return []
    found = []
    for root, _dirs, files in os.walk(src):
        for fn in sorted(files):
            if not fn.endswith(".rs") or "/target" in root:
                continue
            with open(os.path.join(root, fn), encoding="utf-8", errors="replace") as f:
                text = f.read(2 << 20)
            for m in _MACROS.finditer(text):
                kind = "derive" if m.group(1) else "attribute" if m.group(2) else "function"
                item = (kind, m.group(1) or m.group(2) or m.group(3))
                if item not in found:
                    found.append(item)
    return found[:100]


def macro_invocations(lib, macros):
    """A main.rs that invokes each macro once: their code runs while this compiles. Inputs are
    placeholders, so some expansions fail to compile; the macros have run by then."""
    out = ["#![allow(unused)]"]
    for n, (kind, name) in enumerate(macros):
        if kind == "derive":
            out.append(f"#[derive({lib}::{name})] struct AppDerive{n} {{ field: u8 }}")
        elif kind == "attribute":
            out.append(f"#[{lib}::{name}] fn app_attribute_{n}() {{}}")
        else:
            out.append(f"fn app_function_{n}() {{ {lib}::{name}!(); }}")
    out.append("fn main() {}")
    return "\n".join(out) + "\n"


def probe_crate(folder, name, src, main_rs):
    os.makedirs(folder + "/src", exist_ok=True)
    with open(folder + "/Cargo.toml", "w") as f:
        f.write(f'[package]\nname = "{os.path.basename(folder)}"\nversion = "0.0.0"\nedition = "2018"\n\n'
                f'[dependencies]\n{json.dumps(name)} = {{ path = {json.dumps(src)} }}\n\n[workspace]\n')
    with open(folder + "/src/main.rs", "w") as f:
        f.write(main_rs)


def install(crate, name, version):
    os.makedirs(CARGO_HOME, exist_ok=True)
    try:
        src = unpack(crate, WORK)
    except (OSError, tarfile.TarError, ValueError) as e:
        harness.note("install", reason=f"cannot unpack the .crate: {e}")
        return 3
    with open(os.path.join(CARGO_HOME, "config.toml"), "w") as f:
        f.write(cargo_config())
    manifest = manifest_of(src)
    lib = lib_name(src, manifest)
    macros = proc_macros(src, manifest) if lib else []
    if lib:
        probe_crate(PROBE, name, src, f"#[allow(unused_extern_crates)]\nextern crate {lib};\n"
                    f'fn main() {{ println!("linked {lib}"); }}\n')
    with open(WORK + "/lib", "w") as f:
        f.write(lib or "")
    cmd = ["cargo", "build", "--jobs", "2"]
    env = {**os.environ, "CARGO_HOME": CARGO_HOME, "CARGO_TERM_COLOR": "never", "CARGO_TARGET_DIR": TARGET}
    # A binary-only crate: nothing can depend on it, so build it on its own (build.rs runs).
    rc, error = harness.run_tool(cmd, cwd=PROBE if lib else src, env=env)
    reason = harness.tool_reason("cargo build", rc, error) if rc else None
    if not lib:
        reason = reason or "no library target: built the crate's own binaries instead"
    fields = {"lib": lib}
    if macros and rc == 0:
        probe_crate(MACRO_PROBE, name, src, macro_invocations(lib, macros))
        mrc, _ = harness.run_tool(cmd, cwd=MACRO_PROBE, env=env)
        fields.update(macros=[f"{k} {n}" for k, n in macros], macro_build_exit=mrc)
        reason = (f"{len(macros)} proc macros invoked by a probe crate"
                  + ("" if mrc == 0 else f" (it did not compile, exit {mrc}: placeholder inputs)"))
    harness.note("install", reason=reason, **fields)
    return rc


def run_import():
    with open(WORK + "/lib") as f:
        lib = f.read().strip()
    if not lib:
        harness.note("import", reason="no library target: nothing to link")
        return 0
    binary = TARGET + "/debug/probe"
    if not os.path.exists(binary):
        harness.note("import", reason="the probe binary was not built (install failed)")
        return 3
    try:
        rc = subprocess.call([binary], cwd=PROBE, timeout=max(10.0, harness.PHASE_SECONDS - 10))
    except subprocess.TimeoutExpired:
        harness.note("import", reason=f"the probe binary linking {lib} did not finish")
        return 124
    harness.note("import", reason=f"probe binary linking {lib} exited {rc}")
    return rc


if __name__ == "__main__":
    os.chdir("/work")
    sys.exit(install(*sys.argv[2:5]) if sys.argv[1] == "install" else run_import())
