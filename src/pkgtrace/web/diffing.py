"""What changed between two releases of a package, from their stored documents.

`diff_releases` is the one place the web layer gets a diff from. The diff feature (pkgtrace.diff)
owns the canonical release-to-release diff and is used whenever it imports; `builtin_diff` computes
one from the same documents (behaviour by phase, findings, static indicators) when it does not."""

from __future__ import annotations

import importlib
import logging
from typing import Callable

log = logging.getLogger("pkgtrace.web.diffing")

SECTIONS = ("findings", "commands", "dns", "connections", "files_written", "files_read", "files_deleted",
            "urls", "ips", "install_hooks", "source_files")


def _phases(dynamic: dict | None) -> dict[str, dict]:
    analysis = (dynamic or {}).get("Analysis")
    return analysis if isinstance(analysis, dict) else {}


def facts(docs: dict[str, dict | None]) -> dict[str, set[str]]:
    """Each section as a set of comparable strings (phase-qualified where the phase matters)."""
    out: dict[str, set[str]] = {s: set() for s in SECTIONS}
    for phase, s in _phases(docs.get("dynamic")).items():
        if not isinstance(s, dict):
            continue
        for cmd in s.get("Commands") or []:
            out["commands"].add(f"{phase}: " + " ".join(str(a) for a in cmd.get("Command") or []))
        for d in s.get("DNS") or []:
            for q in d.get("Queries") or []:
                out["dns"].add(f"{phase}: {q.get('Hostname')}")
        for k in s.get("Sockets") or []:
            hosts = ",".join(k.get("Hostnames") or [])
            out["connections"].add(f"{phase}: {k.get('Address')}:{k.get('Port')}" + (f" ({hosts})" if hosts else ""))
        for f in s.get("Files") or []:
            for flag, section in (("Write", "files_written"), ("Read", "files_read"), ("Delete", "files_deleted")):
                if f.get(flag):
                    out[section].add(f"{phase}: {f.get('Path')}")
    static = docs.get("static") or {}
    for f in ((static.get("results") or {}).get("files") or []) if isinstance(static, dict) else []:
        if not isinstance(f, dict):
            continue
        out["source_files"].add(str(f.get("filename")))
        out["urls"].update(str(u) for u in f.get("urls") or [])
        out["ips"].update(str(u) for u in f.get("ip_addresses") or [])
    report = docs.get("report") or {}
    verdict = report.get("verdict") if isinstance(report.get("verdict"), dict) else {}
    for f in verdict.get("findings") or []:
        if isinstance(f, dict) and f.get("rule"):
            out["findings"].add(f"{f['rule']}: {f.get('message') or ''}".rstrip(": "))
    section = report.get("static") if isinstance(report.get("static"), dict) else {}
    for h in section.get("install_hooks") or []:
        if isinstance(h, dict):
            out["install_hooks"].add(f"{h.get('kind')}: {h.get('file')}")
    return out


def _verdict(docs: dict) -> dict:
    v = (docs.get("report") or {}).get("verdict")
    return v if isinstance(v, dict) else {}


def builtin_diff(old: dict[str, dict | None], new: dict[str, dict | None]) -> dict:
    """{'label': {old,new}, 'score': {old,new,delta}, 'sections': [{name, added, removed}], 'changed'}"""
    fo, fn = facts(old), facts(new)
    sections = []
    for name in SECTIONS:
        added, removed = sorted(fn[name] - fo[name]), sorted(fo[name] - fn[name])
        sections.append({"name": name, "added": added, "removed": removed})
    vo, vn = _verdict(old), _verdict(new)
    so, sn = vo.get("score"), vn.get("score")
    delta = round(sn - so, 3) if isinstance(so, (int, float)) and isinstance(sn, (int, float)) else None
    return {"engine": "pkgtrace.web.diffing",
            "label": {"old": vo.get("label"), "new": vn.get("label")},
            "score": {"old": so, "new": sn, "delta": delta},
            "sections": sections,
            "changed": any(s["added"] or s["removed"] for s in sections) or vo.get("label") != vn.get("label")}


def _canonical() -> Callable[[dict, dict], dict] | None:
    """The diff feature's function: pkgtrace.diff.diff_documents(old_docs, new_docs) -> dict."""
    try:
        fn = getattr(importlib.import_module("pkgtrace.diff"), "diff_documents", None)
    except ImportError:
        return None
    return fn if callable(fn) else None


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
    """The diff feature's diff when it is importable (it normalises versions, pids, temp paths),
    else this module's own; either way in sections the pages and API list."""
    fn = _canonical()
    if fn is not None:
        try:
            return from_canonical(fn(old, new))
        except Exception:  # noqa: BLE001 - another feature's bug must not take the page down
            log.exception("pkgtrace.diff failed; using the built-in diff")
    return builtin_diff(old, new)
