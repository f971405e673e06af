// The "later" world for Node (dynamic/worlds.py), the counterpart of pyworld.py's clock: installed
// in the package's node process before its code (by nodeworld.js, from its settings), it moves the
// clock SHIFT seconds ahead and shortens timers longer than CAP seconds to CAP, moving the clock on
// by what was skipped when such a timer fires, so that code that waits and then checks the date
// sees the time passed.
//
// Moved: Date (new Date(), Date(), Date.now()), performance.now(), process.hrtime(.bigint) by the
// skipped time only (monotonic clocks do not jump with the date), setTimeout/setInterval (global,
// require("timers") and require("timers/promises")). The stand-ins keep their names, lengths and
// prototypes (instanceof Date holds, Date.prototype is the real one); what still tells them apart:
// Function.prototype.toString.call(Date), a child process (it starts with the real clock), and
// Intl/process.uptime. Cost: one property lookup per Date construction; nothing when not loaded.
"use strict";

function install(shiftS, capS) {
  const RealDate = Date;
  const realNow = RealDate.now;
  const shift = Number(shiftS) * 1000 || 0;
  const capMs = Math.max(0, Number(capS) * 1000 || 0);
  let skipped = 0; // ms of timers cut short so far
  const now = () => realNow() + shift + skipped;

  // A function, not a class: Date() without `new` must give a string, as the real one does.
  function ShiftedDate(...args) {
    if (!new.target) return new RealDate(now()).toString();
    const d = args.length ? new RealDate(...args) : new RealDate(now());
    Object.setPrototypeOf(d, new.target.prototype); // subclasses of Date keep their methods
    return d;
  }
  Object.defineProperty(ShiftedDate, "name", { value: "Date" });
  Object.defineProperty(ShiftedDate, "length", { value: 7 });
  ShiftedDate.prototype = RealDate.prototype;
  ShiftedDate.now = function now_() { return now(); };
  Object.defineProperty(ShiftedDate.now, "name", { value: "now" });
  ShiftedDate.parse = RealDate.parse;
  ShiftedDate.UTC = RealDate.UTC;
  ShiftedDate.toString = () => RealDate.toString();
  globalThis.Date = ShiftedDate;

  if (globalThis.performance && typeof performance.now === "function") {
    const realPerf = performance.now.bind(performance);
    // Node 18's performance.now is a read-only property of the instance: redefine it
    try {
      Object.defineProperty(performance, "now", { value: function now() { return realPerf() + skipped; },
        writable: true, configurable: true });
    } catch (e) { /* a frozen performance object: it keeps the real monotonic clock */ }
  }
  const realHr = process.hrtime;
  const hrtime = function hrtime(prev) {
    const ns = realHr.bigint() + BigInt(Math.round(skipped * 1e6));
    let s = Number(ns / 1000000000n), n = Number(ns % 1000000000n);
    if (Array.isArray(prev)) {
      s -= prev[0]; n -= prev[1];
      if (n < 0) { s -= 1; n += 1e9; }
    }
    return [s, n];
  };
  hrtime.bigint = function bigint() { return realHr.bigint() + BigInt(Math.round(skipped * 1e6)); };
  process.hrtime = hrtime;

  // A long timer waits CAP; when it fires, the clock has moved on by the rest.
  const cut = (ms) => {
    const want = Number(ms) || 0;
    return want > capMs ? [capMs, want - capMs] : [want, 0];
  };
  const timers = require("timers");
  const wrapTimer = (real, name) => {
    const f = function (fn, ms, ...args) {
      const [wait, rest] = cut(ms);
      if (!rest || typeof fn !== "function") return real(fn, ms, ...args);
      return real(function (...a) { skipped += rest; return fn.apply(this, a); }, wait, ...args);
    };
    Object.defineProperty(f, "name", { value: name });
    return f;
  };
  globalThis.setTimeout = timers.setTimeout = wrapTimer(timers.setTimeout, "setTimeout");
  globalThis.setInterval = timers.setInterval = wrapTimer(timers.setInterval, "setInterval");
  try {
    const tp = require("timers/promises");
    const realTp = tp.setTimeout;
    tp.setTimeout = function setTimeout(ms, value, opts) {
      const [wait, rest] = cut(ms);
      return realTp(wait, value, opts).then((v) => { skipped += rest; return v; });
    };
  } catch (e) { /* an older node without timers/promises */ }
}

module.exports = { install };
