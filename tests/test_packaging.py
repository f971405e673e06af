"""Installable like a real tool: the wheel carries every file of the package (the sandbox's guest
scripts and workers included, which an editable install reads from src/ and so hides), the
dependencies are ranges with the exact versions locked for CI, the heavy backends are extras.
(The installed wheel is run end to end by scripts/smoke-wheel, which .ci/run calls.)"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_the_wheel_holds_every_package_file(tmp_path):
    p = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path),
                        str(ROOT)], capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stdout[-2000:] + p.stderr[-2000:]
    (wheel,) = tmp_path.glob("pkgtrace-*.whl")
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "wheel_contents.py"), str(wheel),
                            str(ROOT / "src" / "pkgtrace")], capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    names = set(zipfile.ZipFile(wheel).namelist())
    for worker in ("node_worker.js", "php_worker.php", "ruby_worker.rb", "python_worker.py"):
        assert f"pkgtrace/sandbox/guest/workers/{worker}" in names
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "pkgtrace = pkgtrace.cli:main" in entry


def test_the_checker_notices_a_missing_file(tmp_path):
    src = tmp_path / "pkgtrace"
    (src / "sandbox" / "guest" / "workers").mkdir(parents=True)
    (src / "__init__.py").write_text("")
    (src / "sandbox" / "guest" / "workers" / "node_worker.js").write_text("//")
    wheel = tmp_path / "x.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr("pkgtrace/__init__.py", "")
    p = subprocess.run([sys.executable, str(ROOT / "scripts" / "wheel_contents.py"), str(wheel), str(src)],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode != 0 and "pkgtrace/sandbox/guest/workers/node_worker.js" in p.stderr


def test_dependencies_are_ranges_and_ci_installs_the_lock():
    deps = PYPROJECT["project"]["dependencies"]
    assert deps and not any("==" in d for d in deps), [d for d in deps if "==" in d]
    assert all(">=" in d and "<" in d for d in deps)
    heavy = ("boto3", "psycopg", "redis", "pyarrow", "google-cloud-bigquery")
    assert not [d for d in deps if d.startswith(heavy)]
    extras = PYPROJECT["project"]["optional-dependencies"]
    assert {"s3", "postgres", "redis", "parquet", "bigquery", "all"} <= set(extras)
    assert "pkgtrace[all]" in extras["test"]  # the tests exercise every backend
    lock = (ROOT / "requirements.lock").read_text().splitlines()
    pins = {ln.split("==")[0].lower() for ln in lock if "==" in ln}
    assert {"boto3", "psycopg", "redis", "pyarrow", "google-cloud-bigquery", "typer", "pytest"} <= pins
    assert "-c requirements.lock" in (ROOT / "scripts" / "setup").read_text()
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/smoke-wheel" in ci and "CI=true" in ci
