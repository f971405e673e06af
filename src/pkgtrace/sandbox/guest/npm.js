// npm phases inside the sandbox: `install TARBALL` and `import NAME`.
// install: npm install the tarball into the image's empty project (lifecycle scripts run, as for a
// user; dependencies come from the registry through the simulator's pass-through).
// import: require the package and each entry point its package.json declares.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const fs = require("fs");

// Run as root from a folder the package user cannot read; every process it starts runs as the
// package user (uid/gid below), with node and npm by absolute path.
const PROJECT = path.join(process.env.HOME, "app");
const AS_USER = { uid: Number(process.env.PKGTRACE_UID || 1000), gid: Number(process.env.PKGTRACE_GID || 1000) };
for (const k of Object.keys(process.env)) {
  if (k.startsWith("PKGTRACE_")) delete process.env[k]; // the package sees nothing of pkgtrace
}
const [phase, arg] = process.argv.slice(2);

function install(tarball) {
  const r = spawnSync("/usr/bin/npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier",
    "--foreground-scripts", tarball], { cwd: PROJECT, stdio: "inherit", ...AS_USER });
  return r.status === null ? 1 : r.status;
}

function entryPoints(name) {
  const dir = path.join(PROJECT, "node_modules", name);
  let meta = {};
  try { meta = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8")); } catch (e) { }
  const specs = new Set([name]);
  const add = (p) => { if (typeof p === "string" && !p.includes("*")) specs.add(path.join(dir, p)); };
  if (typeof meta.bin === "string") add(meta.bin);
  else if (meta.bin && typeof meta.bin === "object") Object.values(meta.bin).forEach(add);
  const walk = (e) => {
    if (typeof e === "string") add(e);
    else if (e && typeof e === "object") Object.values(e).forEach(walk);
  };
  walk(meta.exports);
  return [...specs];
}

function importAll(name) {
  let failed = 0;
  for (const spec of entryPoints(name)) {
    // Each entry point in its own process with a time limit: a hang in one hides nothing else.
    const code = "const s = process.argv[1]; try { require(s); } catch (e) {" +
      " if (e && e.code === 'ERR_REQUIRE_ESM') { import(s).catch(x => { console.error(String(x)); process.exitCode = 1; }); }" +
      " else { console.error(String(e && e.stack || e)); process.exitCode = 1; } }";
    const r = spawnSync(process.execPath, ["-e", code, spec], { cwd: PROJECT, stdio: "inherit", timeout: 120000, ...AS_USER });
    if (r.status !== 0) failed++;
  }
  return failed ? 1 : 0;
}

process.exitCode = phase === "install" ? install(arg) : importAll(arg);
