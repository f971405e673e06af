"""One module per registry; `registry_for` picks the implementation by ecosystem."""

from __future__ import annotations

from dataclasses import asdict

from pkgtrace.ecosystems.interface import Registry, RegistryError
from pkgtrace.model import Ecosystem


def registry_for(ecosystem: Ecosystem) -> Registry:
    if ecosystem is Ecosystem.PYPI:
        from pkgtrace.ecosystems.pypi import PyPI
        return PyPI()
    if ecosystem is Ecosystem.NPM:
        from pkgtrace.ecosystems.npm import Npm
        return Npm()
    if ecosystem is Ecosystem.RUBYGEMS:
        from pkgtrace.ecosystems.rubygems import RubyGems
        return RubyGems()
    if ecosystem is Ecosystem.PACKAGIST:
        from pkgtrace.ecosystems.packagist import Packagist
        return Packagist()
    if ecosystem is Ecosystem.CRATES:
        from pkgtrace.ecosystems.crates import Crates
        return Crates()
    raise RegistryError(f"{ecosystem} is not supported yet")


def release_history(ecosystem: str, name: str, version: str) -> dict | None:
    """The registry's history of NAME@VERSION (interface.ReleaseHistory) as the verdict's metadata
    records it; None when it cannot be had. Best-effort: removed malware is gone from its
    registry, and a registry that is down or answers garbage leaves the checks that need it silent."""
    try:
        history = registry_for(Ecosystem.parse(ecosystem)).history(name, version)
    except (RegistryError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return asdict(history) if history else None


def split_spec(ecosystem: Ecosystem, spec: str) -> tuple[str, str | None]:
    """'six==1.16.0' / 'is-number@7.0.0' / '@scope/pkg@1.0' -> (name, version or None)."""
    spec = spec.strip()
    if "==" in spec:
        name, _, version = spec.partition("==")
        return name.strip(), version.strip() or None
    at = spec.rfind("@")
    if at > 0:  # a leading '@' is an npm scope, not a version separator
        return spec[:at], spec[at + 1:] or None
    return spec, None


__all__ = ["Registry", "RegistryError", "registry_for", "release_history", "split_spec"]
