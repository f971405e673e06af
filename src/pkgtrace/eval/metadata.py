"""The registry metadata an evaluated release is judged with, chosen so that both sides of the
corpus are judged on the same evidence.

- Benign releases: the registry's record of the release (ecosystems.release_history:
  release history as of that release), fetched once and cached in WORK/metadata/.
- Malicious samples: never looked up. They were removed from their registry, so a look-up only
  answers "not found" — which every removed malware shares and no live release has (a label
  leak) — or, where the name was taken again since (a placeholder, a new owner), describes
  another package. They get what the sample itself carries: the manifest, read by the rules
  from the artifact (PKG-INFO/METADATA, package.json), and an unknown (None) history.
- Both sides: the summary is left to the rules to read from the artifact's own manifest, and
  a benign release whose look-up fails gets the malicious side's record, so "not found" is
  judged exactly like a removed release.

History fields exist on the benign side only: rules may read them as evidence *against* a
release (a first release, a new install hook), which can only add false positives here, never
detections; no rule may read history as exculpatory, or this measurement would leak labels.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pkgtrace.eval.corpus import Item

# fields only a registry can tell; unknown for a sample the registry no longer has
HISTORY = ("release_count", "first_release", "release_time", "previous_version",
           "previous_had_install_hook")


def from_artifact() -> dict:
    return {"source": "artifact", **{k: None for k in HISTORY}, "summary": None}


def for_item(item: Item, version: str | None, work: Path, fetch: bool = True,
             stored: dict | None = None) -> dict | None:
    """The metadata record for ITEM (None with --no-metadata). STORED: the registry record an
    earlier analysis of the release kept in its report, used before asking the registry again
    (a re-judge of a stored run makes no registry requests)."""
    if not fetch:
        return None
    if item.side == "malicious":
        return from_artifact()
    cache = work / "metadata" / f"{item.key}.json"
    try:
        cached = json.loads(cache.read_text())
        if cached.get("version") == version:
            return cached["metadata"]
    except (OSError, ValueError, AttributeError, KeyError):
        pass
    if isinstance(stored, dict) and stored.get("source", "registry") == "registry" \
            and stored.get("release_count") is not None:
        md = stored
    else:
        from pkgtrace.ecosystems import release_history
        md = release_history(item.ecosystem, item.name, version) if version else None
    if md is None:
        # not cached: a look-up that failed today (network, rate limit) is tried again next run
        return from_artifact()
    md = {"source": "registry", **{k: md.get(k) for k in HISTORY}, "summary": None}
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps({"version": version, "metadata": md}))
    tmp.replace(cache)
    return md


def sources(results: list[dict]) -> dict[str, dict[str, int]]:
    """Per side: how many releases were judged with registry, artifact-only or no metadata."""
    out: dict[str, dict[str, int]] = {}
    for r in results:
        if r.get("error"):
            continue
        side = out.setdefault(r["side"], {})
        src = r.get("metadata_source") or "none"
        side[src] = side.get(src, 0) + 1
    return out
