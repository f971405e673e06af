"""Stand-in analysis for the worker-hook test: returns the recorded documents of the fixture
package's release, exactly where pkgtrace.analysis.analyze would run (`--analyzer`)."""

from __future__ import annotations

from pathlib import Path

from pkgtrace.analysis import AnalysisOutcome
from pkgtrace.model import Artifact, Package

from diff.recorded import read_recorded


def recorded(req, progress=lambda m: None) -> AnalysisOutcome:
    pkg = Package(req.ecosystem, req.name, req.version)
    return AnalysisOutcome(pkg, Artifact(pkg, Path("/dev/null")), read_recorded(req.version))
