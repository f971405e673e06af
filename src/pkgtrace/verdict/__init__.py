"""Verdicts: rules (as data, verdict/rules/*.yaml) over static, dynamic and metadata evidence,
a score and a label per release, suppressions a consumer keeps."""

from pkgtrace.verdict.engine import judge, run_rules
from pkgtrace.verdict.rules import load_rules

__all__ = ["judge", "load_rules", "run_rules"]
