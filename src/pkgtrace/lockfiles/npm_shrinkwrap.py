"""npm-shrinkwrap.json: the publishable twin of package-lock.json, in the same format."""

from __future__ import annotations

from pkgtrace.lockfiles.package_lock import PackageLock


class NpmShrinkwrap(PackageLock):
    format = "npm-shrinkwrap.json"
    filename = "npm-shrinkwrap.json"


PARSER = NpmShrinkwrap()
