"""The release-to-release diff (pkgtrace.diff) in the sections the pages and API list."""

from __future__ import annotations

from pkgtrace.diff import diff_documents


def _item(it: dict) -> str:
    text = str(it.get("value", ""))
    if it.get("phases"):
        text += f"  [{', '.join(it['phases'])}]"
    if it.get("detail") and it["detail"] not in text:
        text += f"  — {it['detail']}"
    return text


def from_canonical(c: dict) -> dict:
    """The diff feature's document, in the sections the pages and API list."""
    sections = []
    for name in list(c.get("added") or {}) + [k for k in (c.get("removed") or {}) if k not in (c.get("added") or {})]:
        sections.append({"name": name, "added": [_item(i) for i in (c.get("added") or {}).get(name) or []],
                         "removed": [_item(i) for i in (c.get("removed") or {}).get(name) or []]})
    hooks = c.get("install_hooks_changed") or []
    if hooks:
        sections.append({"name": "install_hooks_changed", "added": [f"changed: {h}" for h in hooks], "removed": []})
    contents = c.get("contents") or {}
    sections.append({"name": "archive_files",
                     "added": list(contents.get("added") or []) + [f"changed: {x.get('path')}" for x in contents.get("changed") or []],
                     "removed": list(contents.get("removed") or [])})
    score = c.get("score") or {}
    so, sn = score.get("old"), score.get("new")
    delta = round(sn - so, 3) if isinstance(so, (int, float)) and isinstance(sn, (int, float)) else None
    return {"engine": "pkgtrace.diff", "label": c.get("label") or {"old": None, "new": None},
            "score": {"old": so, "new": sn, "delta": delta}, "sections": sections,
            "changed": bool(c.get("changed")), "canonical": c}


def diff_releases(old: dict[str, dict | None], new: dict[str, dict | None]) -> dict:
    return from_canonical(diff_documents(old, new))
