"""Suppressions a consumer keeps: by package, rule and content hash.

A suppression names the package (`ECOSYSTEM/NAME`, optionally `@VERSION`), the rule, and the
content hash the finding carries (the file's SHA-256 for code findings, the artifact's for
behaviour). Changed code has another hash, so a suppression never silences it.

File format (YAML or JSON):

    suppressions:
      - package: pypi/example
        rule: STATIC-SETUP-DOWNLOAD
        hash: 3f5a…            # the `hash` of the finding, as the report shows it
        reason: downloads its own prebuilt binary from its GitHub releases
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from pkgtrace.verdict.model import Finding


class SuppressionError(ValueError):
    pass


@dataclass(frozen=True)
class Suppression:
    ecosystem: str
    name: str
    version: str | None
    rule: str
    hash: str
    reason: str = ""

    def matches(self, ecosystem: str, name: str, version: str, finding: Finding) -> bool:
        return (self.ecosystem == ecosystem and _norm(self.name) == _norm(name)
                and (self.version is None or self.version == version)
                and self.rule == finding.rule and finding.hash is not None
                and self.hash.lower() == finding.hash.lower())

    def as_dict(self) -> dict:
        pkg = f"{self.ecosystem}/{self.name}" + (f"@{self.version}" if self.version else "")
        return {"package": pkg, "rule": self.rule, "hash": self.hash, "reason": self.reason}


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def parse(doc) -> list[Suppression]:
    items = doc.get("suppressions") if isinstance(doc, dict) else doc
    if items is None:
        return []
    if not isinstance(items, list):
        raise SuppressionError("expected a list under `suppressions`")
    out = []
    for i, it in enumerate(items, 1):
        if not isinstance(it, dict):
            raise SuppressionError(f"suppression #{i}: expected a mapping")
        pkg, rule, h = it.get("package"), it.get("rule"), it.get("hash")
        if not (isinstance(pkg, str) and "/" in pkg and isinstance(rule, str) and isinstance(h, str)
                and len(h) >= 16):
            raise SuppressionError(f"suppression #{i}: needs package (ECOSYSTEM/NAME[@VERSION]), "
                                   "rule and hash (the finding's content hash)")
        eco, rest = pkg.split("/", 1)
        # npm scopes start with '@': only an '@' after the first character starts a version.
        if "@" in rest[1:]:
            name, version = rest[0] + rest[1:].rsplit("@", 1)[0], rest[1:].rsplit("@", 1)[1]
        else:
            name, version = rest, None
        out.append(Suppression(eco, name, version, rule, h, str(it.get("reason") or "")))
    return out


def load(path: Path) -> list[Suppression]:
    try:
        doc = yaml.safe_load(Path(path).read_text())
    except OSError as e:
        raise SuppressionError(f"{path}: {e.strerror or e}") from e
    except yaml.YAMLError as e:
        raise SuppressionError(f"{path}: not YAML/JSON: {e}") from e
    return parse(doc)


def apply(findings: list[Finding], suppressions: list[Suppression], ecosystem: str, name: str,
          version: str) -> tuple[list[Finding], list[tuple[Finding, Suppression]]]:
    kept: list[Finding] = []
    dropped: list[tuple[Finding, Suppression]] = []
    for f in findings:
        s = next((s for s in suppressions if s.matches(ecosystem, name, version, f)), None)
        if s is None:
            kept.append(f)
        else:
            dropped.append((f, s))
    return kept, dropped
