// npm phases inside the sandbox: `install TARBALL` and `import NAME`.
// install: npm install the tarball into the image's empty project (lifecycle scripts run, as for a
// user; dependencies come from the registry through the simulator's pass-through). When npm fails
// (a dependency cannot be had, a script fails and npm rolls the package back), the tarball is
// unpacked into node_modules and its preinstall, install and postinstall scripts are run there
// with `npm run-script`, as npm would have; the record says so (`fallback`).
// import: require the package and each entry point its package.json declares.
"use strict";
const { spawnSync } = require("child_process");
const path = require("path");
const fs = require("fs");

// Run as root from a folder the package user cannot read; every process it starts runs as the
// package user (uid/gid below), with node, npm and tar by absolute path. This process itself
// touches no file in the package user's folders (which the package's scripts could have laid
// links in): that work is done by a child running as the user.
// Its settings (PKGTRACE_*) come on stdin (nodedriver.py), never in the environment, which every
// process it starts inherits and which /proc shows the package even for this root process.
const SETTINGS = require("./workers/nodeworld.js").settings();
const PROJECT = path.join(process.env.HOME, "app");
const AS_USER = { uid: Number(SETTINGS.PKGTRACE_UID || 1000), gid: Number(SETTINGS.PKGTRACE_GID || 1000) };
const OUT_DIR = SETTINGS.PKGTRACE_GUEST_OUT || "/root/.ci/out"; // root-only (layout.py)
// what this driver keeps for the later phases (root-only too): whether requires need stand-ins
const STATE_DIR = SETTINGS.PKGTRACE_GUEST_STATE || OUT_DIR;
const STANDINS_STATE = path.join(STATE_DIR, "npm-standins.json");
// the workers' folder (readable by the package user): nodeworld.js, nodestandins.js, npm_unpack.js
const WORKERS = SETTINGS.PKGTRACE_WORKERS || "/usr/local/lib/ci";
// the "later" world (dynamic/worlds.py): the clock SHIFT seconds ahead, timers cut to CAP
const CLOCK = SETTINGS.PKGTRACE_CLOCK_SHIFT ? { clock: Number(SETTINGS.PKGTRACE_CLOCK_SHIFT) || 0,
  sleep: Number(SETTINGS.PKGTRACE_SLEEP_CAP) || 0 } : null;
const [phase, arg] = process.argv.slice(2);
const LIFECYCLE = ["preinstall", "install", "postinstall"];

// The execute phase (npm_execute.py) gives the package's requires stand-ins when the install fell
// back (no dependencies) or its import needed them.
function keepStandins(why) {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.writeFileSync(STANDINS_STATE, JSON.stringify({ why }));
}

// The phase's record, written as root into the root-only records folder.
function note(fields) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, phase + ".json"),
    JSON.stringify({ phase, steps: [], entry_points: [], ...fields }));
}

function install(tarball) {
  const r = spawnSync("/usr/bin/npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier",
    "--foreground-scripts", tarball], { cwd: PROJECT, stdio: ["inherit", "inherit", "pipe"], ...AS_USER });
  const err = (r.stderr || Buffer.alloc(0)).toString("utf8");
  process.stderr.write(err);
  const status = r.status === null ? 1 : r.status;
  if (status === 0) return 0;
  const first = err.split("\n").find((l) => /npm ERR!|npm error/.test(l)) || "";
  const why = `npm install exited ${status}` + (first ? `: ${first.trim().slice(0, 300)}` : "");
  return runScripts(tarball, why, status);
}

// npm's own order for a package's install-time scripts, each in the unpacked package's folder.
function runScripts(tarball, why, status) {
  // Unpacked by the package user into a fresh folder and moved into node_modules; what the
  // child prints is the package.json it found (the package's own metadata: trusted no further).
  const x = spawnSync(process.execPath, [path.join(WORKERS, "npm_unpack.js"), tarball, PROJECT],
    { cwd: PROJECT, stdio: ["ignore", "pipe", "inherit"], timeout: 120000, maxBuffer: 1 << 20, ...AS_USER });
  let meta = {}, dir = null;
  try { ({ meta, dir } = JSON.parse(x.stdout.toString("utf8"))); } catch (e) { }
  meta = meta && typeof meta === "object" ? meta : {};
  const attempts = [{ kind: "unpack", exit_code: x.status }];
  if (x.status !== 0 || typeof dir !== "string") {
    note({ reason: `${why}; fallback: none (the tarball could not be unpacked)`, fallback: { kind: "none", why, attempts } });
    return status;
  }
  const scripts = meta.scripts && typeof meta.scripts === "object" ? meta.scripts : {};
  let failed = false;
  for (const event of LIFECYCLE) {
    if (typeof scripts[event] !== "string") continue;
    // its dependencies were not installed: each node the script starts answers a require of a
    // missing one with a stand-in (NODE_OPTIONS, as a user's own would be, reaches those nodes;
    // nodestandins.js finds the package's folder in npm's own npm_package_json)
    const env = { ...process.env,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS || ""} --require ${path.join(WORKERS, "nodestandins.js")}`.trim() };
    const r = spawnSync("/usr/bin/npm", ["run-script", "--foreground-scripts", "--no-update-notifier", event],
      { cwd: dir, stdio: ["inherit", "inherit", "pipe"], timeout: 120000, maxBuffer: 64 << 20, env, ...AS_USER });
    const names = standinsOf(r.stderr);
    attempts.push({ kind: "lifecycle", event, exit_code: r.status, ...(names.length ? { standins: names } : {}) });
    failed = failed || r.status !== 0;
  }
  const ran = attempts.filter((a) => a.kind === "lifecycle").map((a) => a.event);
  const reason = `${why}; fallback: lifecycle scripts (${ran.join(", ") || "none declared"})` +
    (failed ? " with errors" : "");
  const standins = [...new Set(attempts.flatMap((a) => a.standins || []))].sort();
  note({ reason, fallback: { kind: "lifecycle-scripts", why, attempts }, ...(standins.length ? { standins } : {}) });
  keepStandins("install fallback");
  console.log(`pkgtrace: ${reason}`);
  return failed ? status : 0;
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

// The names nodestandins.js stood in for, from a child's stderr (passed on to ours unchanged).
function standinsOf(stderr) {
  const text = (stderr || Buffer.alloc(0)).toString("utf8");
  process.stderr.write(text);
  const names = new Set();
  for (const m of text.matchAll(/^node-stub (\S{1,214})$/gm)) names.add(m[1]);
  return [...names].sort().slice(0, 200);
}

function importAll(name) {
  let failed = 0;
  const dir = path.join(PROJECT, "node_modules", name);
  const retried = [], standins = new Set();
  for (const spec of entryPoints(name)) {
    // Each entry point in its own process with a time limit: a hang in one hides nothing else.
    // Its world comes on its stdin, read to the end before the package's code runs (nodeworld.js).
    const run = (standin) => spawnSync(process.execPath, [path.join(WORKERS, "nodeworld.js"), spec],
      { cwd: PROJECT, input: JSON.stringify({ ...CLOCK, ...(standin ? { standins: dir } : {}) }),
        stdio: ["pipe", "inherit", "pipe"], timeout: 120000, maxBuffer: 64 << 20, ...AS_USER });
    let r = run(false);
    const err = (r.stderr || Buffer.alloc(0)).toString("utf8");
    process.stderr.write(err);
    if (r.status !== 0 && /Cannot find module|MODULE_NOT_FOUND/.test(err)) {
      // a dependency is missing (the fallback installed none, or one failed): again, with the
      // package's own requires of missing modules answered by stand-ins, as Python's import is
      r = run(true);
      retried.push(spec);
      standinsOf(r.stderr).forEach((n) => standins.add(n));
    }
    if (r.status !== 0) failed++;
  }
  if (retried.length) keepStandins("import");
  if (retried.length || CLOCK) {
    note({ ...(retried.length ? { retried_with_standins: retried, standins: [...standins].sort() } : {}),
      ...(CLOCK ? { clock: { shift_s: CLOCK.clock, longest_sleep_s: CLOCK.sleep } } : {}) });
  }
  return failed ? 1 : 0;
}

process.exitCode = phase === "install" ? install(arg) : importAll(arg);
