"""Version order per ecosystem, to find a release's predecessor."""

from __future__ import annotations

import re

from packaging.version import InvalidVersion, Version

from pkgtrace.model import Ecosystem

_SEMVER = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def _natural(text: str) -> tuple:
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.findall(r"\d+|[A-Za-z]+", text))


def version_key(ecosystem: Ecosystem, version: str) -> tuple:
    """A sort key: PEP 440 for PyPI, SemVer 2 precedence for npm and crates.io (a pre-release sorts
    before its release), Gem/Composer-style dotted numbers otherwise; text that parses as none of
    these sorts by its natural order, after the parsed ones."""
    if ecosystem is Ecosystem.PYPI:
        try:
            return (0, Version(version))
        except InvalidVersion:
            return (1, _natural(version))
    m = _SEMVER.match(version.strip())
    if m:
        pre = m.group(4)
        pre_key = (1,) if pre is None else (0,) + tuple(
            (0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split("."))
        return (0, (int(m.group(1)), int(m.group(2)), int(m.group(3))), pre_key)
    # RubyGems (1.2.3.pre), Composer (v1.2, 1.2.3.0-beta): numbers first, a letter part is a pre-release.
    parts = re.split(r"[.\-+]", version.strip().lstrip("vV"))
    nums = []
    pre: tuple = (1,)
    for i, p in enumerate(parts):
        if p.isdigit():
            nums.append(int(p))
        else:
            pre = (0,) + _natural(".".join(parts[i:]))
            break
    if nums:
        while len(nums) > 1 and nums[-1] == 0:
            nums.pop()
        return (0, tuple(nums), pre)
    return (1, _natural(version))


def predecessor(ecosystem: Ecosystem, version: str, versions: list[str]) -> str | None:
    """The highest of VERSIONS below VERSION, or None."""
    key = version_key(ecosystem, version)
    below = []
    for v in versions:
        if v == version:
            continue
        try:
            if version_key(ecosystem, v) < key:
                below.append(v)
        except TypeError:  # keys of different shapes: not comparable, not a predecessor
            continue
    if not below:
        return None
    return max(below, key=lambda v: version_key(ecosystem, v))
