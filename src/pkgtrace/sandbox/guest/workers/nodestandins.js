// Permissive stand-ins for modules an npm package requires but that are not there (the npm
// fallback: npm install failed, so the package's dependencies are missing, and its lifecycle
// scripts and entry points die at the first require before the payload runs). The counterpart of
// standins.py for Python.
//
// Installed before the package's code (by nodeworld.js from its settings, or loaded through
// NODE_OPTIONS for lifecycle scripts), it answers a require that Node cannot resolve with a module
// whose every property, call and construction gives the same stand-in, so the code after the
// require keeps going and shows what it does with the files, processes and network it can really
// reach. Real modules always win (the hook runs only after Node's own resolution failed); only
// requires of bare names made by the package's own files (under its folder, outside any nested
// node_modules) are answered: the dependencies that are installed keep getting the truth when
// they probe for optional modules.
//
// Each name stood in for is written to stderr as "node-stub NAME" (the caller, npm.js,
// lists them in the record: they say what was tried; the trace says what happened).
"use strict";
const Module = require("module");
const path = require("path");

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

function fromPackage(root, parent) {
  const file = parent && parent.filename;
  if (typeof file !== "string") return !file; // `node -e` code of the package's scripts
  const rel = path.relative(root, file);
  return !rel.startsWith("..") && !path.isAbsolute(rel) && !rel.split(path.sep).includes("node_modules");
}

let installed = false;

// ROOT: the folder of the package's own code.
function install(root) {
  if (installed || typeof root !== "string" || !root) return;
  installed = true;
  const realResolve = Module._resolveFilename;
  const seen = new Set();
  Module._resolveFilename = function (request, parent, ...rest) {
    try {
      return realResolve.call(this, request, parent, ...rest);
    } catch (e) {
      if (!e || e.code !== "MODULE_NOT_FOUND" || !isBare(request) || !fromPackage(root, parent)) throw e;
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

// Through NODE_OPTIONS (npm.js's lifecycle scripts: npm, then the shell, then the script's node),
// nothing of ours can say where the package is; npm's own variable for the running script does.
if ((process.env.NODE_OPTIONS || "").includes(__filename) && process.env.npm_package_json) {
  install(path.dirname(process.env.npm_package_json));
}

module.exports = { install };
