"""Typosquat names: close imitations reach suspicious on their own, loose ones stay medium, and
real popular names, their own variants and chance collisions are not imitations."""

from __future__ import annotations

import pytest

from verdict.fixtures import npm, sdist
from pkgtrace.model import Ecosystem
from pkgtrace.verdict.metadata import popular
from pkgtrace.verdict.typosquat import imitation


@pytest.mark.parametrize("eco,name,target,how", [
    ("pypi", "reqeusts", "requests", "two adjacent characters swapped"),
    ("pypi", "requestss", "requests", "one character changed"),          # doubled letter
    ("pypi", "pythondateutil", "python-dateutil", "separators changed"),
    ("pypi", "py-dateutil", "python-dateutil", "python/py prefix swapped"),
    ("pypi", "dateutil-python", "python-dateutil", "python/py prefix swapped"),
    ("npm", "Lodash", "lodash", "letter case changed"),
    ("npm", "lodash-merge", "lodash.merge", "separators changed"),
    ("npm", "crossenv", "cross-env", "separators changed"),
])
def test_close_imitations(eco, name, target, how):
    hit = imitation(eco, name, popular(eco))
    assert hit is not None and (hit.target, hit.how, hit.close) == (target, how, True)


@pytest.mark.parametrize("eco,name", [
    ("pypi", "cupy-cuda11x"),     # a project's own build variants differ in digits only
    ("pypi", "requests"), ("pypi", "Requests"), ("pypi", "python_dateutil"),  # PyPI folds these
    ("npm", "lodash.merge"), ("npm", "normalize-path"),
    ("pypi", "my-own-project-name"), ("pypi", "numpy"), ("pypi", "flask-login"),
])
def test_not_imitations(eco, name):
    assert imitation(eco, name, popular(eco)) is None


@pytest.mark.parametrize("eco,name,target", [("pypi", "python-dateutils", "python-dateutil"),
                                             ("pypi", "numpyy", "numpy"), ("npm", "expresss", "express")])
def test_imitations_name_their_target(eco, name, target):
    hit = imitation(eco, name, popular(eco))
    assert hit is not None and hit.target == target


@pytest.mark.parametrize("eco,name", [("pypi", "pydox"), ("npm", "path-normalize"),
                                      ("pypi", "pytest-orderin"), ("npm", "d3-timers"),
                                      ("pypi", "google-cloud-pubsu")])
def test_loose_collisions_stay_below_close(eco, name):
    # real stream packages whose names collide with popular ones by chance
    hit = imitation(eco, name, popular(eco))
    assert hit is not None and not hit.close


def test_popular_lookalikes_are_not_imitations():
    # popular names that resemble each other (both real) must not flag one another
    pop = popular("pypi")
    for a, b in [("pyyaml", "yaml"), ("pytest", "test"), ("requests", "request")]:
        names = {n: "" for n in (a, b) if n in pop}
        for n in names:
            assert imitation("pypi", n, {**names, **pop}) is None


def test_close_typosquat_alone_is_suspicious_and_loose_one_is_not(judged):
    close = judged(sdist("reqeusts", {"reqeusts/__init__.py": "X = 1"}), Ecosystem.PYPI, "reqeusts")
    assert close["label"] == "suspicious"
    f = next(f for f in close["findings"] if f["rule"] == "META-TYPOSQUAT")
    assert f["severity"] == "high" and f["evidence"]["imitates"] == "requests"
    loose = judged(npm("path-normalize", {"index.js": ""}), Ecosystem.NPM, "path-normalize")
    assert loose["label"] == "benign"
    assert next(f for f in loose["findings"] if f["rule"] == "META-TYPOSQUAT")["severity"] == "medium"


def test_npm_case_variant_is_suspicious(judged):
    v = judged(npm("Lodash", {"index.js": ""}), Ecosystem.NPM, "Lodash")
    assert v["label"] == "suspicious", v["findings"]
