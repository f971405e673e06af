// Run by npm.js (runScripts) as the package user: unpack TARBALL into a fresh folder, move it to
// PROJECT/node_modules/NAME, print {"meta": package.json, "dir": that folder}. A file, not `node
// -e`: code on a command line is what the rules look for in the package's own commands.
"use strict";
const { spawnSync } = require("child_process"); const fs = require("fs"); const path = require("path");
const [tarball, project] = process.argv.slice(2);
fs.mkdirSync(path.join(project, "node_modules"), { recursive: true });
const stage = fs.mkdtempSync(path.join(project, "node_modules", ".staging-"));
const x = spawnSync("/bin/tar", ["-xzf", tarball, "-C", stage, "--strip-components=1", "--no-same-owner",
  "--no-same-permissions"], { stdio: ["ignore", "ignore", "inherit"] });
if (x.status !== 0) process.exit(x.status || 1);
const meta = JSON.parse(fs.readFileSync(path.join(stage, "package.json"), "utf8"));
const name = meta.name;
if (typeof name !== "string" || !/^(@[a-z0-9._~-]+[/])?[a-z0-9._~-]+$/i.test(name) || name.split("/").includes("..")) {
  fs.rmSync(stage, { recursive: true, force: true });
  process.exit(2);
}
const dir = path.join(project, "node_modules", name);
fs.rmSync(dir, { recursive: true, force: true });
fs.mkdirSync(path.dirname(dir), { recursive: true });
fs.renameSync(stage, dir);
process.stdout.write(JSON.stringify({ meta: { name, scripts: meta.scripts }, dir }));
