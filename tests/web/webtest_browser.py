"""Debian's Chromium driven by Playwright (no `playwright install`: the distribution's browser)."""

from __future__ import annotations

import os
import shutil

CHROMIUM = os.environ.get("PKGTRACE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def unavailable() -> str | None:
    if not os.path.exists(CHROMIUM):
        return f"chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None
