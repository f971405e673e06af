"""Loading rule families from data: one YAML file per family under verdict/rules/."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from pkgtrace.verdict.model import Rule

RULES_DIR = Path(__file__).parent / "rules"


class RuleError(ValueError):
    """A rule file that cannot be loaded: bad YAML, unknown field, bad regex, duplicate id."""


def load_file(path: Path) -> list[Rule]:
    try:
        doc = yaml.safe_load(path.read_text())
    except yaml.YAMLError as e:
        raise RuleError(f"{path.name}: {e}") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
        raise RuleError(f"{path.name}: expected a mapping with a `rules` list")
    family = str(doc.get("family") or path.stem)
    out = []
    for i, raw in enumerate(doc["rules"]):
        try:
            rule = Rule.model_validate({**raw, "family": family})
        except (ValidationError, TypeError) as e:
            raise RuleError(f"{path.name}: rule #{i + 1}: {e}") from e
        _check_regexes(rule, path.name)
        out.append(rule)
    return out


def _check_regexes(rule: Rule, where: str) -> None:
    m = rule.match
    kinds = sum(bool(x) for x in (m.code, m.fact, m.check, m.all_of))
    if kinds != 1:
        raise RuleError(f"{where}: {rule.id}: match needs exactly one of code, fact, check, all_of")
    if m.code and not m.pattern:
        raise RuleError(f"{where}: {rule.id}: a code rule needs a pattern")
    pats = [m.pattern or "", *m.also, *([m.then] if m.then else [])]
    for v in (*m.where.values(), *(_unless_values(m.unless))):
        if isinstance(v, str):
            pats.append(v)
        elif isinstance(v, list):
            pats.extend(x for x in v if isinstance(x, str))
    for p in pats:
        try:
            re.compile(p)
        except re.error as e:
            raise RuleError(f"{where}: {rule.id}: bad regex {p!r}: {e}") from e


def _unless_values(unless) -> list:
    if isinstance(unless, dict):
        return list(unless.values())
    if isinstance(unless, list):
        return unless
    if isinstance(unless, str):
        return [unless]
    return []


def load_rules(directory: Path | None = None) -> list[Rule]:
    if directory is None:
        return list(_default_rules())
    return _load_dir(directory)


@lru_cache(maxsize=1)
def _default_rules() -> tuple[Rule, ...]:
    return tuple(_load_dir(RULES_DIR))


def _load_dir(directory: Path) -> list[Rule]:
    rules: list[Rule] = []
    seen: set[str] = set()
    for path in sorted(directory.glob("*.yaml")):
        for rule in load_file(path):
            if rule.id in seen:
                raise RuleError(f"{path.name}: duplicate rule id {rule.id}")
            seen.add(rule.id)
            rules.append(rule)
    known = {r.id for r in rules}
    for r in rules:
        for dep in r.match.all_of or []:
            if dep not in known:
                raise RuleError(f"{r.id}: all_of names unknown rule {dep}")
    return rules
