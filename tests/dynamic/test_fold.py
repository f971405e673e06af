"""The report's lists under a flood: the first entries and every bait carrier kept, the rest
counted; a phase below the bounds is left as it was."""

from __future__ import annotations

import base64

from pkgtrace.dynamic import fold

BAIT = "AKIAZ4Q7EXAMPLEKEY01"


def _connects(n: int) -> list[dict]:
    return [{"pid": 7, "family": "AF_INET", "address": f"10.0.{i >> 8 & 255}.{i & 255}", "port": 8000 + i % 1000,
             "result": "EINPROGRESS"} for i in range(n)]


def test_a_connect_flood_is_cut_to_the_first_entries_and_counted():
    section = {"connections": _connects(30_000), "files": [{"path": "/tmp/x"}]}
    folded = fold.fold_phase(section, fold.markers([BAIT]))
    shown = fold.SHOWN["connections"]
    assert len(section["connections"]) == shown
    assert section["connections"][0]["address"] == "10.0.0.0"
    assert folded["connections"]["count"] == 30_000 - shown
    assert folded["connections"]["destinations"] == 30_000 - shown
    assert sum(p["count"] for p in folded["connections"]["ports"]) <= 30_000 - shown
    assert section["folded"] is folded
    assert section["files"] == [{"path": "/tmp/x"}]  # not a kind that is folded


def test_an_entry_carrying_bait_after_the_flood_is_never_folded():
    # The evasion: flood first, then send the credential, hoping it lands past the report's list.
    # The bait travels plain, base64-encoded and hex-encoded (a DNS label).
    late = [
        {"address": "203.0.113.9", "port": 443, "data_text": f"key={BAIT}"},
        {"address": "203.0.113.9", "port": 80, "data_b64": base64.b64encode(f"k={BAIT}".encode()).decode()},
        {"kind": "dns", "hostname": BAIT.encode().hex().upper()[:40] + ".x.example", "port": 53},
    ]
    items = _connects(10_000) + late + _connects(10)
    kept, summary = fold.fold(items, 100, fold.markers([BAIT]))
    assert all(e in kept for e in late[:2])
    assert summary["kept_for_bait"] >= 2
    assert summary["count"] == len(items) - 100 - summary["kept_for_bait"]


def test_a_phase_below_every_bound_is_unchanged():
    section = {"connections": _connects(50), "network": [], "commands": [{"argv": ["pip"]}] * 10}
    before = {k: list(v) for k, v in section.items()}
    assert fold.fold_phase(section, fold.markers([BAIT])) == {}
    assert section == before and "folded" not in section


def test_short_values_are_not_markers():
    # a two-letter value would match everything and keep a whole flood
    assert fold.markers(["ab", ""]) == ()
