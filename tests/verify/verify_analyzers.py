"""A stand-in analysis for `verify --analyze-missing` tests, run by a real `pkgtrace worker`
(`--analyzer verify_analyzers:analyze`) exactly where pkgtrace.analysis.analyze runs: names
starting 'evil' come out malicious, 'missing' is a release the registry does not have."""

from __future__ import annotations

from pathlib import Path

from pkgtrace.analysis import AnalysisOutcome
from pkgtrace.model import Artifact, Package

from verify.dataset import EXFIL, documents  # noqa: E402


def analyze(req, progress=lambda m: None) -> AnalysisOutcome:
    if req.name.startswith("missing"):
        from pkgtrace.ecosystems import RegistryError
        raise RegistryError(f"not found: https://registry.npmjs.org/{req.name}")
    pkg = Package(req.ecosystem, req.name, req.version)
    verdict = ({"label": "malicious", "score": 93.0, "findings": [EXFIL]} if req.name.startswith("evil")
               else {"label": "benign", "score": 3.0, "findings": []})
    return AnalysisOutcome(pkg, Artifact(pkg, Path("/dev/null")),
                           documents(pkg.ecosystem.value, pkg.name, pkg.version, verdict))
