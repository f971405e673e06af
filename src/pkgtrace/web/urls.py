"""Where things live, for links in API answers and pages. Names may hold '/' (npm scopes)."""

from __future__ import annotations

from urllib.parse import quote, urlencode


def _q(s: str) -> str:
    return quote(s, safe="@")


def _name(s: str) -> str:
    return "/".join(_q(p) for p in s.split("/"))


def release_page(eco: str, name: str, version: str) -> str:
    return f"/release/{_q(eco)}/{_name(name)}/{_q(version)}"


def release_api(eco: str, name: str, version: str) -> str:
    return f"/api/releases/{_q(eco)}/{_name(name)}/{_q(version)}"


def document_api(eco: str, name: str, version: str, kind: str) -> str:
    return f"{release_api(eco, name, version)}/documents/{kind}"


def package_page(eco: str, name: str) -> str:
    return f"/package/{_q(eco)}/{_name(name)}"


def diff_page(eco: str, name: str, old: str, new: str) -> str:
    return f"/diff/{_q(eco)}/{_name(name)}?" + urlencode({"old": old, "new": new})


def diff_api(eco: str, name: str, old: str, new: str) -> str:
    return f"/api/diff/{_q(eco)}/{_name(name)}?" + urlencode({"old": old, "new": new})


def upload_api(upload_id: str) -> str:
    return f"/api/uploads/{upload_id}"
