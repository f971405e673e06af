// Execute-phase worker for npm: call every function, class and method the package exports, with
// mock arguments, awaiting promises and draining iterators. Protocol: see ../harness.py.
// argv: NAME PROJECT START; stdin: the world's settings (nodeworld.js)
"use strict";
const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

const DRAIN = 1000;
const AWAIT_MS = 9000; // under the harness's per-step bound, so an await ends as a result
const MAX_DEPTH = 3;
const [name, PROJECT, startArg] = process.argv.slice(2);
const start = Number(startArg || 0);

// before the package is required: its world (the clock, stand-ins for its missing requires),
// from the settings npm_execute.py gives on stdin
const world = require("./nodeworld.js");
world.enter(world.settings());

const EVENT_FD = 100; // the event pipe: always fd 100 (harness.EVENT_FD), nothing in the environment
const emit = (ev) => fs.writeSync(EVENT_FD, JSON.stringify(ev) + "\n");
process.on("uncaughtException", () => {});
process.on("unhandledRejection", () => {});

// A mock: any property is another mock, calling or constructing it gives a mock, it turns into
// "example" as a string or number. Not thenable, so `await mock` does not hang.
function makeMock() {
  const target = function value() {};
  let self;
  self = new Proxy(target, {
    get(t, p) {
      if (p === "then" || p === Symbol.iterator || p === Symbol.asyncIterator) return undefined;
      if (p === Symbol.toPrimitive) return () => "example";
      if (p === "toString" || p === "valueOf" || p === "toJSON") return () => "example";
      if (p === "length") return 0;
      if (p === "prototype") return t.prototype;
      return self;
    },
    apply() { return self; },
    construct() { return self; },
  });
  return self;
}

const isClass = (f) => /^class[\s{]/.test(Function.prototype.toString.call(f));

function discover(root) {
  const steps = [];
  const seen = new Set();
  const walk = (obj, label, depth) => {
    if (obj === null || (typeof obj !== "object" && typeof obj !== "function") || seen.has(obj)) return;
    seen.add(obj);
    if (typeof obj === "function") {
      if (isClass(obj)) {
        steps.push({ name: `new ${label}()`, kind: "new", fn: obj });
        for (const m of Object.getOwnPropertyNames(obj.prototype || {})) {
          if (m === "constructor" || m.startsWith("_")) continue;
          const d = Object.getOwnPropertyDescriptor(obj.prototype, m);
          if (d && typeof d.value === "function") steps.push({ name: `${label}#${m}`, kind: "method", cls: obj, m });
        }
      } else {
        steps.push({ name: label, kind: "call", fn: obj });
      }
    }
    if (depth >= MAX_DEPTH) return;
    for (const key of Object.keys(obj)) {
      if (key.startsWith("_")) continue;
      let v;
      try { v = obj[key]; } catch (e) { continue; }
      walk(v, `${label}.${key}`, depth + 1);
    }
  };
  walk(root, name, 0);
  return steps;
}

async function settle(r) {
  const timeout = new Promise((_, rej) => setTimeout(() => rej(new Error("await timed out")), AWAIT_MS).unref());
  if (r && typeof r.then === "function") {
    const v = await Promise.race([r, timeout]);
    return "awaited " + typeof v;
  }
  if (r && typeof r[Symbol.asyncIterator] === "function") {
    let n = 0;
    const drain = (async () => { for await (const _ of r) { if (++n >= DRAIN) break; } })();
    await Promise.race([drain, timeout]);
    return `async iterator(${n} items)`;
  }
  if (r && typeof r.next === "function" && typeof r[Symbol.iterator] === "function" && typeof r !== "string") {
    let n = 0;
    for (const _ of r) { if (++n >= DRAIN) break; }
    return `iterator(${n} items)`;
  }
  return r === null ? "null" : typeof r;
}

// Mocks first; if that throws, once more with plain strings.
function invoke(f, thisArg, construct) {
  const attempt = (arg) => {
    const args = Array.from({ length: f.length }, arg);
    return construct ? new f(...args) : f.apply(thisArg, args);
  };
  try { return attempt(makeMock); } catch (e) { return attempt(() => "example"); }
}

function instance(cls) {
  try { return invoke(cls, undefined, true); } catch (e) { return Object.create(cls.prototype || null); }
}

// The package as its users get it: require() for CommonJS, import() for ES modules.
async function load(meta) {
  const dir = path.join(PROJECT, "node_modules", name);
  try { return require(dir); } catch (e) {
    if (!e || !["ERR_REQUIRE_ESM", "ERR_PACKAGE_PATH_NOT_EXPORTED", "MODULE_NOT_FOUND"].includes(e.code)) throw e;
  }
  let entry = meta.exports;
  if (entry && typeof entry === "object" && "." in entry) entry = entry["."];
  while (entry && typeof entry === "object") entry = entry.import || entry.default || entry.node || Object.values(entry)[0];
  entry = typeof entry === "string" ? entry : meta.module || meta.main || "index.js";
  return await import(pathToFileURL(path.join(dir, entry)).href);
}

async function main() {
  process.chdir(PROJECT);
  let meta = {};
  try { meta = JSON.parse(fs.readFileSync(path.join(PROJECT, "node_modules", name, "package.json"), "utf8")); } catch (e) { }
  const bins = typeof meta.bin === "string" ? [path.basename(name)] : Object.keys(meta.bin || {});
  const entry = bins.map((b) => [path.join(PROJECT, "node_modules", ".bin", b)]);
  const root = await load(meta);
  const steps = discover(root);
  emit({ event: "plan", steps: steps.map((s) => s.name), entry_points: entry });
  for (let i = start; i < steps.length; i++) {
    const s = steps[i];
    emit({ event: "start", i });
    try {
      let r;
      if (s.kind === "call") r = invoke(s.fn, root, false);
      else if (s.kind === "new") r = invoke(s.fn, undefined, true);
      else { const obj = instance(s.cls); r = invoke(obj[s.m], obj, false); }
      emit({ event: "end", i, ok: true, result: await settle(r) });
    } catch (e) {
      emit({ event: "end", i, ok: false, error: String(e && e.stack || e).slice(0, 500) });
    }
  }
  process.exit(0);
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(2); });
