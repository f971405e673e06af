"""Two releases' behaviour compared: what the newer one does that the older did not, and what
it stopped doing."""

from __future__ import annotations

from pkgtrace.api.diff import DIFF_SCHEMA as SCHEMA_VERSION
from pkgtrace.diff.behaviour import DIMENSIONS, Behaviour, Item, behaviour_of

# Items listed per dimension and side; the summary keeps the full counts. A release that rewrites
# thousands of files must not make its report (which carries this diff) unbounded.
MAX_ITEMS = 1000


def _items(items: list[Item]) -> list[dict]:
    return [{"value": i.value, "phases": sorted(i.phases), **({"detail": i.detail} if i.detail else {})}
            for i in sorted(items, key=lambda i: i.value)]


def compare(old: Behaviour, new: Behaviour) -> dict:
    added = {d: _items([new.dims[d][k] for k in new.dims[d].keys() - old.dims[d].keys()]) for d in DIMENSIONS}
    removed = {d: _items([old.dims[d][k] for k in old.dims[d].keys() - new.dims[d].keys()]) for d in DIMENSIONS}
    hooks_changed = sorted(k for k in new.hook_bodies.keys() & old.hook_bodies.keys()
                           if new.hook_bodies[k] != old.hook_bodies[k])
    of, nf = old.files_sha256, new.files_sha256
    contents = {
        "added": sorted(nf.keys() - of.keys()),
        "removed": sorted(of.keys() - nf.keys()),
        "changed": [{"path": p, "old_sha256": of[p], "new_sha256": nf[p]}
                    for p in sorted(nf.keys() & of.keys()) if of[p] != nf[p]],
    }
    # A side without a dynamic (or static) analysis says nothing about that behaviour: an empty
    # diff there is not "no change", and the report says so.
    coverage = {"dynamic": {"old": old.has_dynamic, "new": new.has_dynamic},
                "static": {"old": old.has_static, "new": new.has_static}}
    summary = {d: {"added": len(added[d]), "removed": len(removed[d])} for d in DIMENSIONS}
    summary["contents"] = {k: len(v) for k, v in contents.items()}
    summary["install_hooks"]["changed"] = len(hooks_changed)
    truncated = any(len(v) > MAX_ITEMS for side in (added, removed) for v in side.values()) or \
        any(len(v) > MAX_ITEMS for v in contents.values())
    for side in (added, removed):
        for d in DIMENSIONS:
            side[d] = side[d][:MAX_ITEMS]
    contents = {k: v[:MAX_ITEMS] for k, v in contents.items()}
    changed = (any(added[d] or removed[d] for d in DIMENSIONS) or bool(hooks_changed)
               or any(contents.values()) or old.label != new.label)
    return {
        "schema_version": SCHEMA_VERSION,
        "from": old.version, "to": new.version,
        "label": {"old": old.label, "new": new.label},
        "score": {"old": old.score, "new": new.score},
        "changed": changed,
        "added": added,
        "removed": removed,
        "install_hooks_changed": hooks_changed,
        "contents": contents,
        "coverage": coverage,
        "summary": summary,
        "truncated": truncated,
    }


def diff_documents(old: dict[str, dict | None], new: dict[str, dict | None]) -> dict:
    """The diff of two releases from their stored documents ({"static","dynamic","report"})."""
    return compare(behaviour_of(old), behaviour_of(new))
