"""Recorded documents of two real analyses (tests/fixtures/diff/npm-phonehome), so that the diff
tests run without a sandbox; test_diff_sandbox.py makes them again from the fixture packages.

Before they are written, the bait values planted in that run (fake but realistic-looking AWS, npm,
GitHub and PyPI tokens, an SSH key) are replaced by placeholders, so that no secret scanner stops
the fixtures."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.stores.local import LocalStore

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
RECORDED = FIXTURES / "diff" / "npm-phonehome"
SOURCES = FIXTURES / "packages" / "npm_phonehome"
NAME = "pkgtrace-fixture-phonehome"
VERSIONS = ("1.0.0", "1.1.0")
KINDS = ("static", "dynamic", "report")


def redact_bait(docs: dict[str, dict]) -> dict[str, dict]:
    values = [v for v in ((docs.get("report") or {}).get("dynamic") or {}).get("bait", {}).get("values", [])
              if isinstance(v, dict) and isinstance(v.get("value"), str) and len(v["value"]) >= 8]
    text = json.dumps(docs)
    for v in values:
        text = text.replace(json.dumps(v["value"])[1:-1], f"<bait:{v['what']}>")
    return json.loads(text)


def write_recorded(version: str, docs: dict[str, dict]) -> None:
    folder = RECORDED / version
    folder.mkdir(parents=True, exist_ok=True)
    for kind in KINDS:
        (folder / f"{kind}.json.gz").write_bytes(gzip.compress(json.dumps(redact_bait(docs)[kind], indent=1)
                                                               .encode(), mtime=0))


def read_recorded(version: str) -> dict[str, dict]:
    return {k: json.loads(gzip.decompress((RECORDED / version / f"{k}.json.gz").read_bytes())) for k in KINDS}


def recorded_store(root: Path) -> LocalStore:
    """A results store holding both recorded releases, as `pkgtrace analyze` left them."""
    store = LocalStore(root)
    for v in VERSIONS:
        store.put(Package(Ecosystem.NPM, NAME, v), read_recorded(v))
    return store
