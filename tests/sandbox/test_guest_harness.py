"""The guest's step harness and each language's worker (Python, Node, Ruby, PHP), run on the host
against small packages of our own (no sandbox needed: nothing here is a package under analysis).

Shows the import and execute phases' contract: every public function, class and method called
with placeholder arguments, coroutines awaited, generators drained, a hanging call cut off at the
per-step bound and a crashing one recorded, with the steps after each still run; declared
command-line entry points run with --help.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

GUEST = Path(__file__).parents[2] / "src" / "pkgtrace" / "sandbox" / "guest"

SAMPLE = '''
import asyncio, os, time

MARKS = os.environ["SAMPLE_MARKS"]

def _mark(name):
    open(os.path.join(MARKS, name), "w").write("ran")

def ok(x):
    _mark("ok")
    return x

def hangs():
    time.sleep(600)

def crashes():
    os._exit(7)

async def coro(host: str):
    await asyncio.sleep(0)
    _mark("coro-" + host)

def gen():
    yield from range(3)
    _mark("gen-drained")

async def agen():
    yield 1
    yield 2

class Thing:
    def __init__(self, name: str):
        self.name = name
    def method(self, n: int):
        _mark(f"method-{self.name}-{n}")
    @staticmethod
    def smethod(s: str):
        return s.upper()
    @property
    def prop(self):
        return self.name

def _private():
    _mark("private")
'''


@pytest.fixture
def harness(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("pkgtrace_guest_harness", GUEST / "harness.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "OUT_DIR", str(tmp_path / "out"))
    monkeypatch.setattr(mod, "STEP_SECONDS", 2.0)
    return mod


def _run(harness, tmp_path, source: str, **kw) -> tuple[int, dict, Path]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "sample.py").write_text(source)
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path / "pkg"), "SAMPLE_MARKS": str(marks)}
    worker = [sys.executable, str(GUEST / "workers" / "python_worker.py"), "sample"]
    rc = harness.run("execute", worker, cwd=str(tmp_path), env=env, **kw)
    record = json.loads((tmp_path / "out" / "execute.json").read_text())
    return rc, record, marks


def test_every_public_callable_runs_and_hangs_and_crashes_are_contained(harness, tmp_path):
    entry = [sys.executable, "-c", "import sys; print('usage:', sys.argv[1:])"]
    rc, record, marks = _run(harness, tmp_path, SAMPLE, entry_points=[entry])
    assert rc == 0
    steps = {s["name"]: s for s in record["steps"]}
    assert set(steps) == {"sample.Thing()", "sample.Thing.method", "sample.Thing.prop",
                          "sample.Thing.smethod", "sample.agen", "sample.coro", "sample.crashes",
                          "sample.gen", "sample.hangs", "sample.ok"}
    assert steps["sample.hangs"]["status"] == "timeout"
    assert steps["sample.crashes"]["status"] == "crashed"
    assert "exited 7" in steps["sample.crashes"]["error"]
    # the calls after the hang and the crash still ran, in fresh workers
    assert steps["sample.ok"]["status"] == "ok" and (marks / "ok").exists()
    assert steps["sample.gen"]["result"] == "generator(3 items)" and (marks / "gen-drained").exists()
    assert steps["sample.agen"]["result"] == "async generator(2 items)"
    assert steps["sample.coro"]["result"] == "awaited NoneType" and (marks / "coro-example").exists()
    assert steps["sample.Thing.smethod"]["result"] == "str"
    assert (marks / "method-example-1").exists()  # typed placeholders: str and int
    assert not (marks / "private").exists()
    (ep,) = record["entry_points"]
    assert ep["status"] == "ok" and "usage: ['--help']" in ep["output"]
    assert record["reason"] == "8/10 steps ok, 1 entry points run with --help"


def test_a_package_that_dies_while_loading_says_so(harness, tmp_path):
    rc, record, _ = _run(harness, tmp_path, "import os\nos._exit(9)\n")
    assert rc == 3
    assert record["reason"] == "the execute worker exited 9 before listing its steps"


def test_steps_stop_when_the_phase_budget_runs_out(harness, tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "PHASE_SECONDS", 0.0)
    rc, record, marks = _run(harness, tmp_path, SAMPLE)
    assert rc == 0
    assert record["steps"] == []
    assert record["reason"].startswith("stopped before step 0 of 10: the phase's time budget ran out")


# --- the other languages' workers, each against a small package of our own --------------------

def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _record(tmp_path: Path, phase: str = "execute") -> dict:
    return json.loads((tmp_path / "out" / f"{phase}.json").read_text())


NODE_PACKAGE = {
    "package.json": '{"name": "sample", "version": "1.0.0", "bin": {"sample-cli": "cli.js"}}',
    "cli.js": "#!/usr/bin/env node\nconsole.log('usage:', process.argv.slice(2).join(' '));\n",
    "index.js": """
const fs = require("fs"), path = require("path");
const mark = (n) => fs.writeFileSync(path.join(process.env.SAMPLE_MARKS, n), "ran");
class Client {
  constructor(opts) { this.opts = opts; }
  connect(host) { mark("connect"); }
}
module.exports = {
  ok: (x) => { mark("ok"); return x; },
  hangs: () => { for (;;) {} },
  crashes: () => process.exit(7),
  later: async (host) => { await new Promise((r) => setTimeout(r, 10)); mark("later"); },
  *gen() { yield 1; yield 2; mark("gen-drained"); },
  async *agen() { yield 1; },
  Client,
  nested: { deep: () => mark("deep") },
  _private: () => mark("private"),
};
""",
}

ESM_PACKAGE = {
    "package.json": '{"name": "esm-sample", "version": "1.0.0", "type": "module",'
                    ' "exports": {".": {"import": "./index.js"}}}',
    "index.js": "import fs from 'fs';\n"
                "export function hello(name) { fs.writeFileSync(process.env.SAMPLE_MARKS + '/esm', 'ran'); }\n",
}


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("package", ["sample", "esm-sample"])
def test_node_worker_calls_exports(harness, tmp_path, package):
    project = tmp_path / "project"
    _write(project / "node_modules" / "sample", NODE_PACKAGE)
    _write(project / "node_modules" / "esm-sample", ESM_PACKAGE)
    (project / "node_modules" / "sample" / "cli.js").chmod(0o755)
    (project / "node_modules" / ".bin").mkdir()
    (project / "node_modules" / ".bin" / "sample-cli").symlink_to("../sample/cli.js")
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {"PATH": os.environ["PATH"], "SAMPLE_MARKS": str(marks)}
    worker = ["node", str(GUEST / "workers" / "node_worker.js"), package, str(project)]
    assert harness.run("execute", worker, cwd=str(project), env=env) == 0
    record = _record(tmp_path)
    steps = {s["name"]: s for s in record["steps"]}
    if package == "esm-sample":
        assert steps["esm-sample.hello"]["status"] == "ok" and (marks / "esm").exists()
        return
    assert steps["sample.hangs"]["status"] == "timeout"
    assert steps["sample.crashes"]["status"] == "crashed"
    assert steps["sample.later"]["result"] == "awaited undefined" and (marks / "later").exists()
    assert steps["sample.gen"]["result"] == "iterator(2 items)" and (marks / "gen-drained").exists()
    assert steps["sample.agen"]["result"] == "async iterator(1 items)"
    assert steps["new sample.Client()"]["status"] == "ok"
    assert steps["sample.Client#connect"]["status"] == "ok" and (marks / "connect").exists()
    assert steps["sample.nested.deep"]["status"] == "ok" and (marks / "deep").exists()
    assert "sample._private" not in steps and not (marks / "private").exists()
    (ep,) = record["entry_points"]
    assert ep["status"] == "ok" and "usage: --help" in ep["output"]


GEM_PACKAGE = {
    "sample.gemspec": """
Gem::Specification.new do |s|
  s.name = "sample"; s.version = "1.0.0"; s.summary = "sample"; s.authors = ["pkgtrace"]
  s.files = Dir["lib/**/*.rb", "exe/*"]; s.bindir = "exe"; s.executables = ["sample-cli"]
end
""",
    "exe/sample-cli": "#!/usr/bin/env ruby\nputs \"usage: #{ARGV.join(' ')}\"\n",
    "lib/sample/version.rb": "module Sample\n  VERSION = '1.0.0'\nend\n",
    "lib/sample.rb": """
require "sample/version"
def sample_mark(n) = File.write(File.join(ENV["SAMPLE_MARKS"], n), "ran")
module Sample
  def self.ok(x) = sample_mark("ok")
  def self.hangs = loop {}
  def self.crashes = exit!(7)
  def self.items = Enumerator.new { |y| y << 1; y << 2; sample_mark("enum-drained") }
  def self.secret = sample_mark("private")
  private_class_method :secret
  class Client
    def initialize(opts); end
    def connect(host) = sample_mark("connect-#{host}")
  end
end
""",
}


@pytest.mark.skipif(shutil.which("gem") is None, reason="ruby is not installed")
def test_ruby_worker_requires_and_calls(harness, tmp_path):
    src = tmp_path / "src"
    _write(src, GEM_PACKAGE)
    (src / "exe" / "sample-cli").chmod(0o755)
    subprocess.run(["gem", "build", "sample.gemspec"], cwd=src, check=True, capture_output=True)
    gems = tmp_path / "gems"
    env = {"PATH": os.environ["PATH"], "GEM_HOME": str(gems), "GEM_PATH": str(gems),
           "HOME": str(tmp_path)}
    subprocess.run(["gem", "install", "--local", "--no-document", "--install-dir", str(gems),
                    "--bindir", str(gems / "bin"), "sample-1.0.0.gem"], cwd=src, check=True,
                   capture_output=True, env=env)
    marks = tmp_path / "marks"
    marks.mkdir()
    env["SAMPLE_MARKS"] = str(marks)
    worker = ["ruby", str(GUEST / "workers" / "ruby_worker.rb")]
    assert harness.run("import", worker + ["import", "sample", "1.0.0"], cwd=str(tmp_path), env=env) == 0
    assert [(s["name"], s["status"]) for s in _record(tmp_path, "import")["steps"]] == [
        ("require sample", "ok"), ("require sample/version", "ok")]
    assert harness.run("execute", worker + ["execute", "sample", "1.0.0"], cwd=str(tmp_path), env=env) == 0
    record = _record(tmp_path)
    steps = {s["name"]: s for s in record["steps"]}
    assert steps["Sample.hangs"]["status"] == "timeout"
    assert steps["Sample.crashes"]["status"] == "crashed"
    assert steps["Sample.items"]["result"] == "enumerator(2 items)" and (marks / "enum-drained").exists()
    assert steps["Sample::Client#connect"]["status"] == "ok" and (marks / "connect-example").exists()
    assert steps["sample_mark (top level)"]["status"] == "ok"
    assert "Sample.secret" not in steps and not (marks / "private").exists()
    (ep,) = record["entry_points"]
    assert ep["argv"] == [str(gems / "bin" / "sample-cli")] and "usage: --help" in ep["output"]


PHP_PACKAGE = {
    "composer.json": json.dumps({
        "name": "sample/sample", "version": "1.0.0", "bin": ["bin/sample-cli"],
        "autoload": {"psr-4": {"Sample\\": "src/"}, "files": ["src/functions.php"]}}),
    "bin/sample-cli": "#!/usr/bin/env php\n<?php echo 'usage: ' . implode(' ', array_slice($argv, 1)) . \"\\n\";\n",
    "src/functions.php": "<?php\nfunction sample_hello(int $n) {\n"
                         "    file_put_contents(getenv('SAMPLE_MARKS') . \"/hello-$n\", 'ran');\n}\n",
    "src/Client.php": """<?php
namespace Sample;

class Client
{
    public function __construct(string $endpoint) {}
    public function connect(string $host): bool { self::mark("connect-$host"); return true; }
    public function hangs(): void { while (true) {} }
    public function crashes(): void { exit(7); }
    public function items(): \\Generator { yield 1; yield 2; self::mark("gen-drained"); }
    private static function mark(string $n): void { file_put_contents(getenv("SAMPLE_MARKS") . "/$n", "ran"); }
}
""",
}


@pytest.mark.skipif(shutil.which("composer") is None, reason="composer is not installed")
def test_php_worker_loads_and_calls(harness, tmp_path):
    _write(tmp_path / "sample", PHP_PACKAGE)
    (tmp_path / "sample" / "bin" / "sample-cli").chmod(0o755)
    project = tmp_path / "project"
    _write(project, {"composer.json": json.dumps({
        "name": "pkgtrace/probe", "require": {"sample/sample": "1.0.0"},
        "repositories": [{"type": "path", "url": str(tmp_path / "sample"), "options": {"symlink": False}},
                         {"packagist.org": False}]})})
    env = {"PATH": os.environ["PATH"], "COMPOSER_HOME": str(tmp_path / "ch"), "HOME": str(tmp_path),
           "COMPOSER_ALLOW_SUPERUSER": "1"}
    subprocess.run(["composer", "update", "--no-interaction", "--no-audit", "-o"], cwd=project,
                   check=True, capture_output=True, env=env)
    marks = tmp_path / "marks"
    marks.mkdir()
    env["SAMPLE_MARKS"] = str(marks)
    worker = ["php", str(GUEST / "workers" / "php_worker.php")]
    assert harness.run("import", worker + ["import", str(project), "sample/sample"], cwd=str(project), env=env) == 0
    assert [(s["name"], s["status"]) for s in _record(tmp_path, "import")["steps"]] == [
        ("load Sample\\Client", "ok")]
    assert harness.run("execute", worker + ["execute", str(project), "sample/sample"], cwd=str(project), env=env) == 0
    record = _record(tmp_path)
    steps = {s["name"]: s for s in record["steps"]}
    assert steps["sample_hello()"]["status"] == "ok" and (marks / "hello-1").exists()
    assert steps["Sample\\Client->connect()"]["status"] == "ok" and (marks / "connect-example").exists()
    assert steps["Sample\\Client->hangs()"]["status"] == "timeout"
    assert steps["Sample\\Client->crashes()"]["status"] == "crashed"
    assert steps["Sample\\Client->items()"]["result"] == "Generator(2 items)"
    assert (marks / "gen-drained").exists()
    assert not any("mark" in name for name in steps)
    (ep,) = record["entry_points"]
    assert ep["status"] == "ok" and "usage: --help" in ep["output"]


def test_a_failing_package_manager_gives_its_first_error_as_the_reason(harness, tmp_path, capfd):
    script = ("import sys\nprint('Compiling x', file=sys.stderr)\n"
              "print('error[E0425]: cannot find value `y` in this scope', file=sys.stderr)\n"
              "print('error: could not compile `x`', file=sys.stderr)\nsys.exit(101)\n")
    rc, error = harness.run_tool([sys.executable, "-c", script], cwd=str(tmp_path))
    assert (rc, error) == (101, "error[E0425]: cannot find value `y` in this scope")
    assert harness.tool_reason("cargo build", rc, error) == \
        "cargo build exited 101: error[E0425]: cannot find value `y` in this scope"
    assert "could not compile" in capfd.readouterr().err  # the output still reaches the phase's stderr


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/bin/python3"),
                    reason="dropping privileges needs root (and a system python3)")
def test_a_driver_keeps_root_out_of_everything_it_starts(tmp_path):
    """Run as a sandbox runs a driver (root, PKGTRACE_UID given): the driver's effective ids become
    the package user's, every process it starts is that user through and through (it cannot take
    root back), and the record still lands in a folder only root can write."""
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    script = f"""
import json, os, subprocess, sys
sys.path.insert(0, {str(GUEST)!r})
import harness
child = subprocess.run(["/usr/bin/python3", "-c",
    "import os, json\\ntry:\\n    os.setuid(0); took = True\\nexcept PermissionError:\\n    took = False\\n"
    "print(json.dumps([os.getresuid(), os.getresgid(), os.getgroups(), took]))"],
    capture_output=True, text=True, check=True)
harness.note("install", reason="ok")
print(json.dumps({{"driver": [os.getresuid(), os.geteuid()], "child": json.loads(child.stdout),
                  "env": sorted(k for k in os.environ if k.startswith("PKGTRACE"))}}))
"""
    env = {"PATH": "/usr/bin:/bin", "PKGTRACE_UID": "65534", "PKGTRACE_GID": "65534",
           "PKGTRACE_GUEST_OUT": str(out)}
    # the system's interpreter, as in the guest (the test's own may sit where that user cannot read)
    r = subprocess.run(["/usr/bin/python3", "-I", "-S", "-c", script], env=env, capture_output=True,
                       text=True, timeout=60, cwd="/")
    assert r.returncode == 0, r.stderr
    seen = json.loads(r.stdout)
    assert seen["driver"] == [[0, 65534, 0], 65534]  # real and saved root: the package cannot signal it
    resuid, resgid, groups, took_root = seen["child"]
    assert resuid == [65534] * 3 and resgid == [65534] * 3 and groups == []
    assert not took_root
    assert not seen["env"]
    record = out / "install.json"
    assert record.stat().st_uid == 0
    assert json.loads(record.read_text())["reason"] == "ok"
