"""Which release is the predecessor: version order per ecosystem."""

from __future__ import annotations

import pytest

from pkgtrace.diff import predecessor, version_key
from pkgtrace.model import Ecosystem


@pytest.mark.parametrize("eco, ordered", [
    (Ecosystem.PYPI, ["0.9", "1.0.0rc1", "1.0", "1.0.post1", "1.1.dev0", "1.1", "1.10"]),
    (Ecosystem.NPM, ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0", "1.2.0", "1.10.0"]),
    (Ecosystem.CRATES, ["0.1.9", "0.1.10", "0.2.0-rc.1", "0.2.0"]),
    (Ecosystem.RUBYGEMS, ["1.2.9", "1.3.0.pre", "1.3.0", "1.3.0.1", "1.10"]),
    (Ecosystem.PACKAGIST, ["v1.2.0", "1.2.1-beta", "1.2.1", "2.0"]),
])
def test_order(eco, ordered):
    assert sorted(reversed(ordered), key=lambda v: version_key(eco, v)) == ordered


def test_predecessor():
    vs = ["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1"]
    assert predecessor(Ecosystem.NPM, "1.10.0", vs) == "1.2.0"
    assert predecessor(Ecosystem.NPM, "2.0.0", vs) == "2.0.0-rc.1"
    assert predecessor(Ecosystem.NPM, "1.0.0", vs) is None
    assert predecessor(Ecosystem.NPM, "1.5.0", vs) == "1.2.0"  # the version itself need not be known
    assert predecessor(Ecosystem.PYPI, "2.0", ["1.0", "weird-version", "1.9"]) == "1.9"

