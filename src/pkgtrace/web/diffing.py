"""The release-to-release diff (pkgtrace.diff) in the sections the pages and API list."""

from __future__ import annotations

from pkgtrace.api.diff import Diff, DiffItem, Dimensions
from pkgtrace.diff import diff_documents


def _item(it: DiffItem) -> str:
    text = it.value
    if it.phases:
        text += f"  [{', '.join(it.phases)}]"
    if it.detail and str(it.detail) not in text:
        text += f"  — {it.detail}"
    return text


def from_canonical(c: dict) -> dict:
    """The diff feature's document, in the sections the pages and API list."""
    d = Diff.model_validate(c)
    sections = [{"name": name, "added": [_item(i) for i in getattr(d.added, name)],
                 "removed": [_item(i) for i in getattr(d.removed, name)]} for name in Dimensions.model_fields]
    if d.install_hooks_changed:
        sections.append({"name": "install_hooks_changed", "added": [f"changed: {h}" for h in d.install_hooks_changed],
                         "removed": []})
    sections.append({"name": "archive_files",
                     "added": d.contents.added + [f"changed: {x.path}" for x in d.contents.changed],
                     "removed": d.contents.removed})
    so, sn = d.score.old, d.score.new
    delta = round(sn - so, 3) if isinstance(so, (int, float)) and isinstance(sn, (int, float)) else None
    return {"engine": "pkgtrace.diff", "label": {"old": d.label.old, "new": d.label.new},
            "score": {"old": so, "new": sn, "delta": delta}, "sections": sections,
            "changed": d.changed, "canonical": c}


def diff_releases(old: dict[str, dict | None], new: dict[str, dict | None]) -> dict:
    return from_canonical(diff_documents(old, new))
