"""What a report lists of a flood: the first entries of each kind, every entry that carries bait,
and a count of the rest.

The trace keeps every security-relevant event (connects, sends, execs) up to a bound set for the
analyser's memory, far above what the report can carry: 30,000 connects to junk addresses made a
9-16 MB report. Past SHOWN entries of one kind in a phase, the rest are folded into counts
(`folded` in the phase section). That cannot hide anything to the package's profit: a folded phase
is itself a finding (DYN-TRACE-FLOOD, not benign), and an entry that carries a bait value (a
credential sent, a query that spells it) is never folded.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from typing import Iterable

# Per phase and kind. Real releases stay far below (the bench's npm installs: tens of
# connections, a few hundred commands for a native build).
SHOWN = {"connections": 2000, "network": 2000, "dns": 2000, "sends": 2000, "listens": 2000,
         "commands": 5000}
SHOWN_PROCESSES = 10000  # the run's process list
MAX_CARRIERS = 5000  # entries kept for carrying bait, per kind: beyond, the bait is known to leave


def spellings(value: str) -> tuple[str, ...]:
    """How a bait VALUE can appear in what a package sends: as is, in hex, or in base64 at any of
    the three alignments it can have inside a longer encoded text (the groups that mix in the
    bytes around it are left out). Too short to be told apart from noise: nothing."""
    if len(value) < 8:
        return ()
    raw = value.encode()
    out = [value, raw.hex()]
    out += [base64.b64encode(b"\0" * k + raw).decode()[4 if k else 0:-4] for k in range(3)]
    return tuple(m for m in out if len(m) >= 8)


def markers(values: Iterable[str]) -> tuple[str, ...]:
    """Every spelling of the bait VALUES (an entry carrying one is never folded)."""
    return tuple(m for v in values for m in spellings(v))


def carried(text: str, spelled: tuple[str, ...]) -> str | None:
    """The first of SPELLED that TEXT holds (hex in either case), or None."""
    low = text.lower()
    return next((m for m in spelled if m in text or m in low), None)


def fold(items: list, shown: int, marks: tuple[str, ...]) -> tuple[list, dict | None]:
    """ITEMS cut to the first SHOWN and those carrying a marker; the rest summed up (or None)."""
    if len(items) <= shown:
        return items, None
    kept, carriers, rest = list(items[:shown]), 0, 0
    dests: set = set()
    ports: Counter = Counter()
    for item in items[shown:]:
        if carriers < MAX_CARRIERS and _carries(item, marks):
            kept.append(item)
            carriers += 1
            continue
        rest += 1
        if isinstance(item, dict):
            dest = item.get("address") or item.get("dst") or item.get("hostname")
            if dest is not None and len(dests) < 100_000:
                dests.add(str(dest))
            if item.get("port") is not None:
                ports[item["port"]] += 1
    summary = {"count": rest, "kept_for_bait": carriers, "destinations": len(dests),
               "ports": [{"port": p, "count": n} for p, n in ports.most_common(10)]}
    return kept, summary


def _carries(item, marks: tuple[str, ...]) -> bool:
    if not marks:
        return False
    return carried(json.dumps(item, default=_bytes, ensure_ascii=False), marks) is not None


def _bytes(o):
    return o.decode("latin-1") if isinstance(o, bytes) else str(o)


def fold_phase(section: dict, marks: tuple[str, ...]) -> dict:
    """Fold the lists of one phase section in place; returns what was folded (kind -> summary)."""
    folded = {}
    for kind, shown in SHOWN.items():
        if isinstance(section.get(kind), list):
            section[kind], summary = fold(section[kind], shown, marks)
            if summary:
                folded[kind] = summary
    if folded:
        section["folded"] = folded
    return folded
