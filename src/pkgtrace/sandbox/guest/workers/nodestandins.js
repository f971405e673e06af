// Permissive stand-ins for modules an npm package requires but that are not there (the npm
// fallback: npm install failed, so the package's dependencies are missing, and its lifecycle
// scripts and entry points die at the first require before the payload runs). The counterpart of
// standins.py for Python.
//
// Loaded before the package's code (node -r, or NODE_OPTIONS for lifecycle scripts), it answers
// a require that Node cannot resolve with a module whose every property, call and construction
// gives the same stand-in, so the code after the require keeps going and shows what it does with
// the files, processes and network it can really reach. Real modules always win (the hook runs
// only after Node's own resolution failed); only requires of bare names made by the package's own
// files (under ROOT, outside any nested node_modules) are answered: the dependencies that are
// installed keep getting the truth when they probe for optional modules.
//
// Each name stood in for is written to stderr as "node-stub NAME" (the caller, npm.js,
// lists them in the record: they say what was tried; the trace says what happened).
"use strict";
const Module = require("module");
const path = require("path");

const ROOT = process.env.NODE_MODULE_STUBS;
// Loaded with -r (the import phase): the setting leaves the environment at once. Loaded through
// NODE_OPTIONS (lifecycle scripts: npm, then the shell, then the script's node), both stay, or
// the node the script starts would not get them; the package can see them there.
if (!(process.env.NODE_OPTIONS || "").includes(__filename)) delete process.env.NODE_MODULE_STUBS;

function standin() {
  const target = function () {};
  let self;
  self = new Proxy(target, {
    get(t, p) {
      // not thenable (await gives it back), no iterator (spreads to nothing)
      if (p === "then" || p === Symbol.iterator || p === Symbol.asyncIterator) return undefined;
      if (p === Symbol.toPrimitive) return () => "";
      if (p === "toString" || p === "valueOf" || p === "toJSON") return () => "";
      if (p === "__esModule") return false;
      if (p === "prototype") return t.prototype;
      return self;
    },
    apply() { return self; },
    construct() { return self; },
  });
  return self;
}

const isBare = (req) => typeof req === "string" && !/^(?:\.{1,2}(?:\/|$)|\/|node:)/.test(req) &&
  !Module.builtinModules.includes(req.split("/")[0]);

function fromPackage(parent) {
  const file = parent && parent.filename;
  if (!ROOT || typeof file !== "string") return !!ROOT && !file; // -e code requiring the package
  const rel = path.relative(ROOT, file);
  return !rel.startsWith("..") && !path.isAbsolute(rel) && !rel.split(path.sep).includes("node_modules");
}

if (ROOT) {
  const realResolve = Module._resolveFilename;
  const seen = new Set();
  Module._resolveFilename = function (request, parent, ...rest) {
    try {
      return realResolve.call(this, request, parent, ...rest);
    } catch (e) {
      if (!e || e.code !== "MODULE_NOT_FOUND" || !isBare(request) || !fromPackage(parent)) throw e;
      const id = `/node-stub/${request}`;
      if (!Module._cache[id]) {
        const m = new Module(id, null);
        m.filename = id;
        m.loaded = true;
        m.exports = standin();
        Module._cache[id] = m;
      }
      if (!seen.has(request)) {
        seen.add(request);
        try { process.stderr.write(`node-stub ${request}\n`); } catch (x) { /* closed */ }
      }
      return id;
    }
  };
}
