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

const PROJECT = "/opt/pkgtrace/npm";
const OUT_DIR = process.env.PKGTRACE_GUEST_OUT || "/work/.pkgtrace";
// the package sees nothing of pkgtrace in its environment
delete process.env.PKGTRACE_PHASE_SECONDS;
delete process.env.PKGTRACE_GUEST_OUT;
const [phase, arg] = process.argv.slice(2);
const LIFECYCLE = ["preinstall", "install", "postinstall"];

function note(fields) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, phase + ".json"),
    JSON.stringify({ phase, steps: [], entry_points: [], ...fields }));
}

function install(tarball) {
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--no-update-notifier",
    "--foreground-scripts", tarball], { cwd: PROJECT, stdio: ["inherit", "inherit", "pipe"] });
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
  const stage = "/work/npm-src";
  fs.mkdirSync(stage, { recursive: true });
  const x = spawnSync("tar", ["-xzf", tarball, "-C", stage, "--strip-components=1", "--no-same-owner",
    "--no-same-permissions"], { stdio: "inherit" });
  let meta = {};
  try { meta = JSON.parse(fs.readFileSync(path.join(stage, "package.json"), "utf8")); } catch (e) { }
  const attempts = [{ kind: "unpack", exit_code: x.status }];
  const name = typeof meta.name === "string" && !meta.name.includes("..") ? meta.name : null;
  if (x.status !== 0 || !name) {
    note({ reason: `${why}; fallback: none (the tarball could not be unpacked)`, fallback: { kind: "none", why, attempts } });
    return status;
  }
  const dir = path.join(PROJECT, "node_modules", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.renameSync(stage, dir);
  const scripts = meta.scripts && typeof meta.scripts === "object" ? meta.scripts : {};
  let failed = false;
  for (const event of LIFECYCLE) {
    if (typeof scripts[event] !== "string") continue;
    const r = spawnSync("npm", ["run-script", "--foreground-scripts", "--no-update-notifier", event],
      { cwd: dir, stdio: "inherit", timeout: 120000 });
    attempts.push({ kind: "lifecycle", event, exit_code: r.status });
    failed = failed || r.status !== 0;
  }
  const ran = attempts.filter((a) => a.kind === "lifecycle").map((a) => a.event);
  const reason = `${why}; fallback: lifecycle scripts (${ran.join(", ") || "none declared"})` +
    (failed ? " with errors" : "");
  note({ reason, fallback: { kind: "lifecycle-scripts", why, attempts } });
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

function importAll(name) {
  let failed = 0;
  for (const spec of entryPoints(name)) {
    // Each entry point in its own process with a time limit: a hang in one hides nothing else.
    const code = "const s = process.argv[1]; try { require(s); } catch (e) {" +
      " if (e && e.code === 'ERR_REQUIRE_ESM') { import(s).catch(x => { console.error(String(x)); process.exitCode = 1; }); }" +
      " else { console.error(String(e && e.stack || e)); process.exitCode = 1; } }";
    const r = spawnSync("node", ["-e", code, spec], { cwd: PROJECT, stdio: "inherit", timeout: 120000 });
    if (r.status !== 0) failed++;
  }
  return failed ? 1 : 0;
}

process.exitCode = phase === "install" ? install(arg) : importAll(arg);
