"""Stand-in analyses for the fault tests (the real ones need a sandbox, or take seconds).

Used as `--analyzer test_analyzers:slow`; they run in the worker's child process exactly where
pkgtrace.analysis.analyze would, and return the same AnalysisOutcome shape. Each start is logged
to $PKGTRACE_TEST_LOG so a test can count how often a release was analysed."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pkgtrace.analysis import AnalysisOutcome
from pkgtrace.model import Artifact, Package


def _log(req, what: str) -> None:
    with open(os.environ["PKGTRACE_TEST_LOG"], "a") as f:
        f.write(f"{what} {req.ecosystem.value}/{req.name}@{req.version} {os.getpid()}\n")
        f.flush()


def _outcome(req) -> AnalysisOutcome:
    pkg = Package(req.ecosystem, req.name, req.version)
    docs = {
        "dynamic": {"Package": {"Ecosystem": pkg.ecosystem.value, "Name": pkg.name, "Version": pkg.version},
                    "CreatedTimestamp": int(time.time()),
                    "Analysis": {"install": {"Status": "completed", "Stdout": "", "Stderr": "",
                                             "Files": [{"Path": "/etc/passwd", "Read": True, "Write": False,
                                                        "Delete": False}],
                                             "Sockets": [], "Commands": [], "DNS": []}}},
        "report": {"schema_version": "pkgtrace-report/1",
                   "package": {"ecosystem": pkg.ecosystem.value, "name": pkg.name, "version": pkg.version},
                   "artifact": {"filename": f"{pkg.name}-{pkg.version}.tgz", "sha256": "ab" * 32, "url": None},
                   "created": int(time.time()), "timings": {"dynamic_s": 0.1},
                   "verdict": {"score": 0.1, "label": "benign", "findings": [],
                               "evidence": {"static": False, "dynamic": True, "metadata": False, "code_files": 0}}},
    }
    return AnalysisOutcome(pkg, Artifact(pkg, Path("/dev/null")), docs)


def slow(req, progress=lambda m: None) -> AnalysisOutcome:
    _log(req, "start")
    time.sleep(float(os.environ.get("PKGTRACE_TEST_SLEEP", "0.2")))
    _log(req, "end")
    return _outcome(req)


def flaky(req, progress=lambda m: None) -> AnalysisOutcome:
    """Names starting 'crash' kill the process; 'missing' is a permanent failure; else fine."""
    _log(req, "start")
    if req.name.startswith("crash"):
        os._exit(139)  # like a segfault: no result, no exception
    if req.name.startswith("missing"):
        from pkgtrace.ecosystems import RegistryError
        raise RegistryError(f"not found: https://registry.example/{req.name}")
    if req.name.startswith("transient"):
        raise ConnectionError("registry reset the connection")
    return _outcome(req)
