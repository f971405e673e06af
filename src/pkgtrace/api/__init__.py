"""pkgtrace's public documents as typed models: what report.json, `verify --format json`, the OSV
export and the HTTP API contain, each field described, and OSSF's dynamic and static documents
field for field (ossf_dynamic, ossf_static). Producers build these, consumers read them, and
schemas/ holds the JSON Schemas of pkgtrace's own (`python -m pkgtrace.api.publish` writes them).

This package depends on nothing of pkgtrace's machinery but the shared vocabulary (model.py):
an import-linter contract keeps it so.
"""

from pkgtrace.api.base import LABELS, SEVERITIES, Label, Severity, Source
from pkgtrace.api.diff import Diff
from pkgtrace.api.dynamic import DynamicSection
from pkgtrace.api.findings import Finding, SuppressedFinding, SuppressionRef
from pkgtrace.api.osv import OsvReport
from pkgtrace.api.read import ReportError, read_report, upgrade_report
from pkgtrace.api.report import REPORT_SCHEMA, Report
from pkgtrace.api.static import StaticSection
from pkgtrace.api.verdict import Verdict
from pkgtrace.api.verify import VerifyDocument

__all__ = ["LABELS", "REPORT_SCHEMA", "SEVERITIES", "Diff", "DynamicSection", "Finding", "Label",
           "OsvReport", "Report", "ReportError", "Severity", "Source", "StaticSection",
           "SuppressedFinding", "SuppressionRef", "Verdict", "VerifyDocument", "read_report",
           "upgrade_report"]
