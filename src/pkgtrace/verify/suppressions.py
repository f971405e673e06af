"""Suppressions verify honours: releases (or single rules on them) a team has reviewed and
accepted, each with a reason, optionally until a date.

File (YAML or JSON), e.g. .pkgtrace-suppressions.yaml:

    suppressions:
      - package: npm/is-odd        # ECOSYSTEM/NAME[@VERSION]; NAME alone matches every ecosystem
        version: 3.0.1             # optional: omitted (or "*") means every version
        rule: obfuscated-code      # optional: only this finding; omitted means the whole release
        hash: 3f5a…                # optional: only the finding with this content hash
        reason: vendored copy, reviewed by security 2026-11-20
        expires: 2027-01-31        # optional: ignored (and reported) after this date

The same file serves the verdict engine (pkgtrace.verdict.suppressions: package, rule, hash,
reason), which drops suppressed findings at analysis time; verify reads its entries too. A
`hash` entry only matches a finding that carries that hash (the report's findings do; the index
keeps none, so against a local index such an entry never silences anything).

A release is suppressed when an entry without `rule` matches it, or when every one of its
findings is matched by a rule entry. The verdict engine's own suppressions
(pkgtrace.verdict.suppressions) act at analysis time; these act on what a consumer verifies.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from pkgtrace.formats.interface import ReleaseRecord
from pkgtrace.lockfiles.interface import normalize_name
from pkgtrace.model import Ecosystem, Package


class SuppressionError(ValueError):
    """A suppressions file that cannot be read; names the entry at fault."""


@dataclass(frozen=True)
class Suppression:
    ecosystem: Ecosystem | None
    name: str
    version: str | None
    rule: str | None
    reason: str
    expires: dt.date | None = None
    hash: str | None = None

    def matches(self, package: Package) -> bool:
        if self.ecosystem is not None and self.ecosystem != package.ecosystem:
            return False
        if normalize_name(package.ecosystem, self.name) != normalize_name(package.ecosystem, package.name):
            return False
        return self.version is None or self.version == package.version


@dataclass
class Suppressions:
    entries: list[Suppression] = field(default_factory=list)
    expired: list[Suppression] = field(default_factory=list)
    source: str | None = None

    def reason_for(self, package: Package, record: ReleaseRecord | None) -> str | None:
        """Why this release is suppressed, or None when it is not."""
        mine = [s for s in self.entries if s.matches(package)]
        whole = [s for s in mine if s.rule is None]
        if whole:
            return whole[0].reason
        if record is None or not record.findings:
            return None
        reasons = []
        for f in record.findings:
            hit = next((s for s in mine if s.rule == f.rule
                        and (s.hash is None or s.hash.lower() == str(f.evidence.get("hash") or "").lower())), None)
            if hit is None:
                return None
            reasons.append(hit.reason)
        return "; ".join(dict.fromkeys(reasons))


def load_suppressions(path: str | Path, *, today: dt.date | None = None) -> Suppressions:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SuppressionError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as e:
        raise SuppressionError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {e}") from None
    items = doc.get("suppressions") if isinstance(doc, dict) else doc
    if items is None:
        items = []
    if not isinstance(items, list):
        raise SuppressionError(f"{path}: expected a list under 'suppressions'")
    today = today or dt.date.today()
    out = Suppressions(source=str(path))
    for i, item in enumerate(items):
        where = f"{path}: suppressions[{i}]"
        if not isinstance(item, dict):
            raise SuppressionError(f"{where}: expected a mapping")
        unknown = set(item) - {"package", "version", "rule", "hash", "reason", "expires"}
        if unknown:
            raise SuppressionError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        spec, reason = item.get("package"), item.get("reason")
        if not isinstance(spec, str) or not spec.strip():
            raise SuppressionError(f"{where}.package: required, e.g. npm/is-odd")
        if not isinstance(reason, str) or not reason.strip():
            raise SuppressionError(f"{where}.reason: required: say why this is accepted")
        eco: Ecosystem | None = None
        name = spec.strip()
        head, sep, rest = name.partition("/")
        if sep and not head.startswith("@"):
            try:
                eco, name = Ecosystem.parse(head), rest
            except ValueError:
                raise SuppressionError(f"{where}.package: unknown ecosystem {head!r}") from None
        version = item.get("version")
        if "@" in name[1:]:  # ECOSYSTEM/NAME@VERSION (a scope's leading '@' is not a version)
            name, _, at_version = name.rpartition("@")
            if version is not None and str(version) != at_version:
                raise SuppressionError(f"{where}: version {version!r} contradicts {spec!r}")
            version = at_version
        if version is not None and not isinstance(version, (str, int, float)):
            raise SuppressionError(f"{where}.version: expected a version string")
        version = None if version in (None, "*", "") else str(version)
        rule = item.get("rule")
        if rule is not None and not isinstance(rule, str):
            raise SuppressionError(f"{where}.rule: expected a rule id")
        expires = item.get("expires")
        if isinstance(expires, str):
            try:
                expires = dt.date.fromisoformat(expires)
            except ValueError:
                raise SuppressionError(f"{where}.expires: expected a date YYYY-MM-DD") from None
        elif expires is not None and not isinstance(expires, dt.date):
            raise SuppressionError(f"{where}.expires: expected a date YYYY-MM-DD")
        digest = item.get("hash")
        if digest is not None and (not isinstance(digest, str) or not digest.strip()):
            raise SuppressionError(f"{where}.hash: expected the finding's content hash")
        if digest and not rule:
            raise SuppressionError(f"{where}: a hash needs the rule it belongs to")
        s = Suppression(eco, name, version, rule or None, reason.strip(), expires, digest or None)
        (out.expired if expires is not None and expires < today else out.entries).append(s)
    return out
