"""Suppressions a team keeps: releases, or single findings on them, it has reviewed and accepted,
each with a reason, optionally until a date. One file serves both consumers.

File (YAML or JSON), e.g. .pkgtrace-suppressions.yaml:

    suppressions:
      - package: npm/is-odd        # ECOSYSTEM/NAME[@VERSION]; NAME alone matches every ecosystem
        version: 3.0.1             # optional: omitted (or "*") means every version
        rule: obfuscated-code      # optional: only this finding; omitted means the whole release
        hash: 3f5a…                # optional: only the finding with this content hash
        reason: vendored copy, reviewed by security 2026-11-20
        expires: 2027-01-31        # optional: ignored (and reported) after this date

- The verdict engine (judge, $PKGTRACE_SUPPRESSIONS) hides a finding at analysis time only by an
  entry with both `rule` and `hash`: the hash is the file's SHA-256 for code findings, the
  artifact's for behaviour, so changed code has another hash and is never silenced.
- verify passes a flagged release when an entry without `rule` matches it, or when every one of
  its findings is matched by a rule entry (with `hash`, only the finding carrying that hash, as
  the index and a server's API both give it; a release indexed before the index kept hashes has
  none until `pkgtrace export reindex`, and such an entry silences nothing on it).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from pkgtrace.api.verify import ReleaseRecord
from pkgtrace.lockfiles.interface import normalize_name
from pkgtrace.model import Ecosystem, Package
from pkgtrace.verdict.model import Finding

_KEYS = {"package", "version", "rule", "hash", "reason", "expires"}
MIN_HASH = 16  # characters: a content hash, not a guessable prefix


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

    def covers(self, rule: str, digest: object) -> bool:
        """Whether this rule entry matches a finding of RULE carrying content hash DIGEST."""
        return self.rule == rule and (self.hash is None or self.hash.lower() == str(digest or "").lower())

    def as_dict(self) -> dict:
        """The reference a suppressed finding carries in the verdict (api.findings.SuppressionRef)."""
        eco = f"{self.ecosystem.value}/" if self.ecosystem else ""
        pkg = f"{eco}{self.name}" + (f"@{self.version}" if self.version else "")
        return {"package": pkg, "rule": self.rule, "hash": self.hash, "reason": self.reason}


@dataclass
class Suppressions:
    entries: list[Suppression] = field(default_factory=list)
    expired: list[Suppression] = field(default_factory=list)
    source: str | None = None

    def __iter__(self) -> Iterator[Suppression]:
        return iter(self.entries)

    def reason_for(self, package: Package, record: ReleaseRecord | None) -> str | None:
        """Why verify passes this release, or None when it does not."""
        mine = [s for s in self.entries if s.matches(package)]
        whole = [s for s in mine if s.rule is None]
        if whole:
            return whole[0].reason
        if record is None or not record.findings:
            return None
        reasons = []
        for f in record.findings:
            hit = next((s for s in mine if s.covers(f.rule, f.hash)), None)
            if hit is None:
                return None
            reasons.append(hit.reason)
        return "; ".join(dict.fromkeys(reasons))


def hide(findings: list[Finding], suppressions: Iterable[Suppression], ecosystem: str, name: str,
         version: str) -> tuple[list[Finding], list[tuple[Finding, Suppression]]]:
    """The verdict engine's split: (kept, [(hidden, by)]); only rule-and-hash entries hide."""
    try:
        package = Package(Ecosystem(ecosystem), name, version)
    except ValueError:  # a report that names no ecosystem: no suppression is about it
        return list(findings), []
    mine = [s for s in suppressions if s.rule and s.hash and s.matches(package)]
    kept: list[Finding] = []
    dropped: list[tuple[Finding, Suppression]] = []
    for f in findings:
        s = next((s for s in mine if f.hash is not None and s.covers(f.rule, f.hash)), None)
        if s is None:
            kept.append(f)
        else:
            dropped.append((f, s))
    return kept, dropped


def load(path: str | Path, *, today: dt.date | None = None) -> Suppressions:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SuppressionError(f"{path}: cannot read: {e.strerror or e}") from None
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as e:
        raise SuppressionError(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {e}") from None
    return parse(doc, source=str(path), today=today)


def parse(doc: object, *, source: str = "suppressions", today: dt.date | None = None) -> Suppressions:
    items = doc.get("suppressions") if isinstance(doc, dict) else doc
    if items is None:
        items = []
    if not isinstance(items, list):
        raise SuppressionError(f"{source}: expected a list under 'suppressions'")
    today = today or dt.date.today()
    out = Suppressions(source=source)
    for i, item in enumerate(items):
        s = _entry(item, f"{source}: suppressions[{i}]")
        (out.expired if s.expires is not None and s.expires < today else out.entries).append(s)
    return out


def _entry(item: object, where: str) -> Suppression:
    if not isinstance(item, dict):
        raise SuppressionError(f"{where}: expected a mapping")
    unknown = set(item) - _KEYS
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
    if digest and not rule:
        raise SuppressionError(f"{where}: a hash needs the rule it belongs to")
    if digest is not None and (not isinstance(digest, str) or len(digest.strip()) < MIN_HASH):
        raise SuppressionError(f"{where}.hash: expected the finding's content hash")
    return Suppression(eco, name, version, rule or None, reason.strip(), expires, digest.strip() if digest else None)
