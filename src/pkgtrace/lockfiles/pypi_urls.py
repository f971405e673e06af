"""Where a PyPI package in a multi-ecosystem lockfile (pixi.lock, conda-lock.yml) comes from,
read from its URL: PyPI's file host, another index (private), a VCS, an archive or a path."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from pkgtrace.lockfiles.common import is_default_index


def pypi_source(url: str) -> tuple[str, str | None]:
    """(source kind, locator) of a PyPI package fetched from URL."""
    if url.startswith("git+"):
        return "git", url[4:]
    if url.startswith("direct+"):
        return "url", url[len("direct+"):]
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url):
        return "path", url
    host = urlsplit(url).hostname or ""
    if is_default_index(host):
        return "registry", None
    # Another index than PyPI: a mirror or a private index, which the dataset cannot tell apart.
    return "private", re.sub(r"//[^/@\s]*@", "//", url.split("/packages/")[0])
