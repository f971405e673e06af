// Start a Node step of the import or execute phase in its world: the counterpart of pyworld.py.
//
// Settings come as JSON on stdin, read to its end at once, after which stdin is /dev/null (never
// the environment or the arguments: /proc/self/environ and /proc/self/cmdline would show them to
// the package, a moved clock among them):
//   clock    seconds to move the clock ahead (see nodeclock.js); 0 or absent: the real clock
//   sleep    longest real timer in seconds; a longer one fires this soon, the clock moved on
//   standins the folder of the package's own code: its requires of modules that are not there
//            get stand-ins (nodestandins.js); absent: none
//
// `node nodeworld.js SPEC` (npm.js, the import phase): require SPEC from the working folder, as
// a user's code there would (import() when it is an ES module). node_worker.js (the execute
// phase) enters its world the same way before anything else; npm.js reads its own settings
// (from nodedriver.py) with settings() too.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");
const { pathToFileURL } = require("url");

const SETTINGS_LIMIT = 4 << 20;

// The JSON on stdin, read to its end; stdin is /dev/null afterwards.
function settings() {
  const chunks = [], buf = Buffer.alloc(65536);
  let size = 0;
  while (size < SETTINGS_LIMIT) {
    let n = 0;
    try { n = fs.readSync(0, buf, 0, buf.length, null); } catch (e) { break; } // no stdin: no settings
    if (!n) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    size += n;
  }
  try { // the lowest free descriptor: 0 again, now /dev/null, as for a step without settings
    fs.closeSync(0);
    fs.openSync("/dev/null", "r");
  } catch (e) { /* there was no stdin */ }
  try {
    const cfg = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
    return cfg && typeof cfg === "object" ? cfg : {};
  } catch (e) {
    return {};
  }
}

function enter(cfg) {
  if (cfg.clock || cfg.sleep) require("./nodeclock.js").install(Number(cfg.clock) || 0, Number(cfg.sleep) || 1e9);
  if (typeof cfg.standins === "string") require("./nodestandins.js").install(cfg.standins);
}

function importSpec(spec) {
  const fail = (e) => { console.error(String(e && e.stack || e)); process.exitCode = 1; };
  const req = Module.createRequire(path.join(process.cwd(), "[import]"));
  try {
    req(spec);
  } catch (e) {
    if (!e || e.code !== "ERR_REQUIRE_ESM") return fail(e);
    import(pathToFileURL(req.resolve(spec)).href).catch(fail);
  }
}

if (require.main === module) {
  enter(settings());
  importSpec(process.argv[2]);
}

module.exports = { settings, enter };
