"""RubyGems phases inside the sandbox: `install ARTIFACT`, `import NAME VERSION`, `execute NAME VERSION`.

install: gem install the .gem (extensions compile, as for a user). Its dependencies come from
rubygems.org through the simulator's pass-through, or, when the run has a local mirror mounted at
/srv/mirror/rubygems, only from the .gem files there (gem install --local).
import: require every file in the gem's require paths, each a time-bounded step.
execute: call the public methods its modules and classes define; run its executables with --help.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

MIRROR = "/srv/mirror/rubygems"
WORKER = os.path.join(harness.WORKERS, "ruby_worker.rb")
# The package user cannot write the system gem folder: gems go to its own, as `--user-install`
# would put them, for install and for the import/execute workers alike.
os.environ.setdefault("GEM_HOME", os.path.join(os.environ.get("HOME", "/tmp"), ".local/share/gem/ruby"))


def install(artifact):
    cmd = ["gem", "install", "--no-document", "--no-user-install"]
    cwd = "/work"
    if os.path.isdir(MIRROR):
        cmd.append("--local")  # dependencies: the .gem files in the working directory
        cwd = MIRROR
    rc, error = harness.run_tool(cmd + [artifact], cwd=cwd)
    harness.note("install", reason=harness.tool_reason("gem install", rc, error) if rc else None)
    return rc


def run_worker(phase, name, version):
    return harness.run(phase, ["ruby", WORKER, phase, name, version])


if __name__ == "__main__":
    os.chdir("/work")
    phase = sys.argv[1]
    sys.exit(install(sys.argv[2]) if phase == "install" else run_worker(phase, sys.argv[2], sys.argv[3]))
