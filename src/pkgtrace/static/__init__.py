"""Static analysis: safe extraction, file facts, multi-language parsing, signals.

`analyze_artifact(artifact, progress)` -> (OSSF static record, pkgtrace report `static` section).
"""

from pkgtrace.static.analyze import Options, analyze_artifact, analyze_file
from pkgtrace.static.extract import Limits, extract

__all__ = ["Limits", "Options", "analyze_artifact", "analyze_file", "extract"]
