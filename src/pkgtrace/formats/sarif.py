"""SARIF 2.1.0 for code-scanning UIs: one run; its rules are the findings' rule ids; one result per
flagged (suspicious or malicious) release, located at the dependency's line in the lockfile.

A result's ruleId is the release's most severe finding; every finding rides along in its
properties. partialFingerprints key on the release, not the line, so an alert survives edits that
move the line. Suppressed releases keep their result, with an external suppression.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Sequence

from pkgtrace.formats.interface import Finding, RenderContext, VerifyRowDoc, sort_rows, summarize

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/ossf/package-analysis"  # the analysis whose shapes we follow
_LEVEL = {"malicious": "error", "suspicious": "warning"}
# GitHub code scanning ranks security alerts by this property (a number as a string, 0.0-10.0).
_SECURITY_SEVERITY = {"low": "3.0", "medium": "5.5", "high": "8.0", "critical": "9.5"}
_LABEL_SEVERITY = {"malicious": "critical", "suspicious": "medium"}


class SarifFormat:
    name = "sarif"
    media_type = "application/sarif+json"

    def render(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> str:
        return json.dumps(self.document(rows, ctx), indent=2, default=str) + "\n"

    def document(self, rows: Sequence[VerifyRowDoc], ctx: RenderContext) -> dict:
        flagged = [r for r in sort_rows(rows) if r.flagged]
        rules: dict[str, dict] = {}

        def rule_for(rule_id: str, finding: Finding | None, severity: str) -> int:
            if rule_id not in rules:
                rules[rule_id] = {
                    "id": rule_id,
                    "name": _camel(rule_id),
                    "shortDescription": {"text": _humanize(rule_id)},
                    "fullDescription": {"text": finding.message if finding and finding.message
                                        else _humanize(rule_id)},
                    "help": {"text": "pkgtrace flags a release when its install, import or code does "
                                     "this; read the evidence in the result's properties."},
                    "defaultConfiguration": {"level": "warning"},
                    "properties": {"tags": ["security", "supply-chain", "malicious-package"],
                                   "security-severity": _SECURITY_SEVERITY[severity]},
                }
            elif float(_SECURITY_SEVERITY[severity]) > float(rules[rule_id]["properties"]["security-severity"]):
                rules[rule_id]["properties"]["security-severity"] = _SECURITY_SEVERITY[severity]
            return list(rules).index(rule_id)

        results = []
        base = ctx.base_dir.resolve()
        for r in flagged:
            d, rec = r.dependency, r.release
            assert rec is not None  # flagged implies a record
            for f in rec.findings:  # every finding's rule is a rule of the run
                rule_for(f.rule, f, f.severity)
            top = rec.top_findings(1)
            if top:
                rule_id, index = top[0].rule, rule_for(top[0].rule, top[0], top[0].severity)
            else:
                rule_id = f"pkgtrace/{rec.label}-release"
                index = rule_for(rule_id, None, _LABEL_SEVERITY[rec.label])
            ident = f"{d.ecosystem.value}/{d.name}@{d.version}"
            text = f"{ident} is labelled {rec.label} by pkgtrace (score {rec.score:.2f})"
            if rec.findings:
                text += ": " + "; ".join(f"[{f.severity}] {f.rule}: {f.message}" for f in rec.top_findings(3))
                if len(rec.findings) > 3:
                    text += f"; and {len(rec.findings) - 3} more"
            text += "."
            physical: dict = {"artifactLocation": _artifact_location(d.file, base)}
            if d.line:
                physical["region"] = {"startLine": d.line}
            result: dict = {
                "ruleId": rule_id,
                "ruleIndex": index,
                "level": _LEVEL[rec.label],
                "message": {"text": text},
                "locations": [{"physicalLocation": physical,
                               "logicalLocations": [{"name": ident, "kind": "package"}]}],
                "partialFingerprints": {
                    "pkgtraceRelease/v1": hashlib.sha256(ident.encode()).hexdigest()},
                "properties": {
                    "ecosystem": d.ecosystem.value, "package": d.name, "version": d.version,
                    "label": rec.label, "score": rec.score, "direct": d.direct,
                    "lockfileKey": d.key, "findings": [f.to_dict() for f in rec.findings],
                    **({"reportUrl": rec.url} if rec.url else {}),
                },
            }
            if r.suppressed is not None:
                result["suppressions"] = [{"kind": "external", "status": "accepted",
                                           "justification": r.suppressed or "suppressed"}]
            results.append(result)

        run: dict = {
            "tool": {"driver": {"name": "pkgtrace", "version": ctx.tool_version,
                                "semanticVersion": ctx.tool_version, "informationUri": INFORMATION_URI,
                                "rules": list(rules.values())}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": base.as_uri().rstrip("/") + "/"}},
            "artifacts": [{"location": _artifact_location(f, base)} for f in ctx.lockfiles],
            "invocations": [{"executionSuccessful": True}],
            "results": results,
            "properties": {"summary": summarize(rows), **({"dataset": ctx.dataset} if ctx.dataset else {})},
        }
        if not run["artifacts"]:
            del run["artifacts"]
        return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def _artifact_location(file: str, base: Path) -> dict:
    p = Path(file)
    if not p.is_absolute():
        p = Path(os.getcwd()) / p
    p = p.resolve()
    try:
        return {"uri": p.relative_to(base).as_posix(), "uriBaseId": "%SRCROOT%"}
    except ValueError:
        return {"uri": p.as_uri()}


def _humanize(rule_id: str) -> str:
    words = re.sub(r"[_\-./]+", " ", rule_id).strip()
    return (words[:1].upper() + words[1:]) if words else rule_id


def _camel(rule_id: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in re.split(r"[^A-Za-z0-9]+", rule_id) if w) or "Rule"


FORMAT = SarifFormat()
