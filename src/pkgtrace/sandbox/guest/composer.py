"""Packagist phases inside the sandbox: `install ARTIFACT NAME VERSION`, `import NAME`, `execute NAME`.

install: a fresh Composer project requires the package from an inline "package" repository whose
dist is the artifact zip, as `composer require` would; plugins are allowed (a victim who allows
them is what we want to watch). Dependencies come from repo.packagist.org through the simulator's
pass-through or, when a local mirror is mounted at /srv/mirror/packagist, only from the zips
there (an "artifact" repository). Composer runs only the root project's scripts, never a
dependency's: a package's own "scripts" are listed in the record, not run.
import: vendor/autoload.php (runs autoload "files"), then each class the package's autoload maps
to its own folder is loaded, a time-bounded step each.
execute: call the public functions and methods those define; run its "bin" files with --help.
"""
import json
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402

MIRROR = "/srv/mirror/packagist"
PROJECT = "/work/composer-project"
WORKER = os.path.join(harness.WORKERS, "php_worker.php")
ENV = {**os.environ, "COMPOSER_ALLOW_SUPERUSER": "1", "COMPOSER_HOME": "/work/.composer",
       "COMPOSER_NO_INTERACTION": "1"}


def manifest(artifact):
    with zipfile.ZipFile(artifact) as z:
        names = sorted((n for n in z.namelist() if n.endswith("composer.json") and n.count("/") <= 1),
                       key=lambda n: n.count("/"))
        return json.loads(z.read(names[0])) if names else {}


_VERSION = re.compile(r"^(v?\d+(\.\d+){0,3}([-.]?(alpha|beta|rc|a|b|p|pl|patch|stable)\.?\d*)?"
                      r"|dev-[\w./-]+|[\w.-]+\.x-dev)$", re.I)


def composer_version(version):
    """Composer needs a version it can parse; anything else installs as a dev branch."""
    return version if _VERSION.match(version or "") else "dev-main"


def install(artifact, name, version):
    meta = manifest(artifact)
    version = composer_version(version)
    package = {k: v for k, v in meta.items() if k not in ("repositories", "version", "minimum-stability")}
    package.update(name=name, version=version, dist={"type": "zip", "url": artifact})
    repos = [{"type": "package", "package": package}]
    if os.path.isdir(MIRROR):
        repos += [{"type": "artifact", "url": MIRROR}, {"packagist.org": False}]
    project = {"name": "acme/app", "type": "project", "minimum-stability": "dev",
               "prefer-stable": True, "repositories": repos, "require": {name: version},
               "config": {"allow-plugins": True, "process-timeout": 0}}
    os.makedirs(PROJECT, exist_ok=True)
    with open(os.path.join(PROJECT, "composer.json"), "w") as f:
        json.dump(project, f, indent=1)
    # --no-audit: the advisory check would ask packagist.org about every package
    # --ignore-platform-reqs: a package for another PHP version or extensions still installs, so
    # its code can be watched; a user's machine would have what it asks for
    rc, error = harness.run_tool(["composer", "update", "--no-interaction", "--no-progress",
                                  "--no-audit", "--optimize-autoloader", "--ignore-platform-reqs"],
                                 cwd=PROJECT, env=ENV)
    scripts = sorted((meta.get("scripts") or {}).keys()) if isinstance(meta.get("scripts"), dict) else []
    note = harness.tool_reason("composer update", rc, error) if rc else None
    if rc == 0 and scripts:
        note = (f"installed; the package's own scripts ({', '.join(scripts)}) are not run: Composer "
                "runs only the root project's scripts")
    harness.note("install", reason=note, scripts=scripts, plugin=meta.get("type") == "composer-plugin")
    return rc


def run_worker(phase, name):
    return harness.run(phase, ["php", "-d", "memory_limit=1G", WORKER, phase, PROJECT, name],
                       cwd=PROJECT, env=ENV)


if __name__ == "__main__":
    os.chdir("/work")
    phase = sys.argv[1]
    sys.exit(install(*sys.argv[2:5]) if phase == "install" else run_worker(phase, sys.argv[2]))
