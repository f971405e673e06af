from __future__ import annotations

from .conftest import REAL, table
from .test_package_lock import NPM_PROJECT


def test_npm_shrinkwrap(deps):
    path = REAL / "npm-shrinkwrap" / "npm-shrinkwrap.json"
    assert deps.fmt(path) == "npm-shrinkwrap.json"
    assert table(deps(path)) == NPM_PROJECT
