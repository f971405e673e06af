"""Both results stores, the real things: a local folder and SeaweedFS's S3 gateway on loopback."""

from __future__ import annotations

import threading

import pytest

from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.stores import StoreError, open_store


@pytest.fixture(params=["local", "s3"])
def store(request, tmp_path):
    if request.param == "local":
        return open_store(str(tmp_path / "results"))
    seaweed = request.getfixturevalue("seaweed")
    return open_store(seaweed.url("pkgtrace-results", f"t-{tmp_path.name}"))


PKGS = [Package(Ecosystem.PYPI, "six", "1.16.0"), Package(Ecosystem.NPM, "@scope/name", "1.0.0-beta.1"),
        Package(Ecosystem.CRATES, "serde", "1.0.0")]


def test_put_get_list_delete(store):
    for i, p in enumerate(PKGS):
        store.put(p, {"report": {"n": i}, "static": {"s": i}})
    assert store.get(PKGS[1], "report") == {"n": 1}
    assert store.get(PKGS[1], "dynamic") is None
    assert store.get(Package(Ecosystem.PYPI, "absent", "1"), "report") is None
    assert sorted(map(str, store.list())) == sorted(map(str, PKGS))
    assert list(store.list(Ecosystem.NPM)) == [PKGS[1]]
    assert PKGS[1].key in store.location(PKGS[1]).replace("%2F", "%2F")
    store.delete(PKGS[0])
    store.delete(PKGS[0])  # deleting nothing is fine
    assert store.get(PKGS[0], "report") is None
    assert sorted(map(str, store.list())) == sorted(map(str, PKGS[1:]))


def test_replacement_is_atomic(store):
    """Readers racing a writer see a whole old set or a whole new set, never a mix."""
    p = PKGS[0]
    store.put(p, {"report": {"gen": 0}, "static": {"gen": 0}})
    stop = threading.Event()
    mixed = []

    def reader():
        while not stop.is_set():
            r, s = store.get(p, "report"), store.get(p, "static")
            # A reader can straddle two writes; it must never see a missing document.
            if r is None or s is None:
                mixed.append((r, s))

    t = threading.Thread(target=reader)
    t.start()
    for gen in range(1, 15):
        store.put(p, {"report": {"gen": gen}, "static": {"gen": gen}})
    stop.set()
    t.join()
    assert not mixed
    assert store.get(p, "report") == {"gen": 14} and store.get(p, "static") == {"gen": 14}
    # A re-analysis with fewer kinds replaces the set: the old kind is gone.
    store.put(p, {"report": {"gen": 15}})
    assert store.get(p, "static") is None


def test_s3_unreachable_is_a_store_error(tmp_path):
    from services import free_port
    s = open_store(f"s3://nobucket/x?endpoint=http://127.0.0.1:{free_port()}&retries=1&connect_timeout=1")
    with pytest.raises(StoreError):
        s.put(PKGS[0], {"report": {}})


def test_bad_store_url():
    with pytest.raises(ValueError):
        open_store("ftp://example/x")
