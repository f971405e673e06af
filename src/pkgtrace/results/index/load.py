"""Documents → rows: a release's OSSF dynamic and static documents and its pkgtrace report become
one `analyses` row and its behaviour rows. Loading the same release again replaces all of it in
one transaction, so the dataset holds each release exactly once."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from pkgtrace.model import Package
from pkgtrace.results.documents import Documents, read_documents
from pkgtrace.results.index import models as m
from pkgtrace.results.index.db import Index, _insert_ignore


def load_documents(index: Index, package: Package, documents: dict[str, dict], *,
                   location: str | None = None, duration_s: float | None = None,
                   worker: str | None = None) -> int:
    """Replace the release's analysis in the index; the new analyses.id. DocumentError (nothing
    written) when a document is not of its schema."""
    docs = read_documents(documents)
    rows = _behaviour_rows(docs)
    report = docs.report
    verdict = report.verdict if report else None
    timings = report.timings if report else None
    now = time.time()
    key = {"ecosystem": package.ecosystem.value, "name": package.name, "version": package.version}
    with index.engine.begin() as c:
        _insert_ignore(c, m.releases, [dict(**key, state="done", source="loader", priority=0, force=False,
                                            discovered_at=now, attempts=0)],
                       ["ecosystem", "name", "version"])
        release_id = c.execute(sa.select(m.releases.c.id).where(
            m.releases.c.ecosystem == key["ecosystem"], m.releases.c.name == key["name"],
            m.releases.c.version == key["version"])).scalar_one()
        old = c.execute(sa.select(m.analyses.c.id).where(m.analyses.c.release_id == release_id)).scalar()
        if old is not None:
            for t in m.CHILD_TABLES:
                c.execute(t.delete().where(t.c.analysis_id == old))
            c.execute(m.analyses.delete().where(m.analyses.c.id == old))
        analysis_id = c.execute(m.analyses.insert().values(
            release_id=release_id, **key,
            created=float(report.created) if report else None, loaded_at=now,
            kinds=",".join(sorted(documents)), location=location,
            artifact_filename=report and report.artifact.filename,
            artifact_sha256=report and report.artifact.sha256, artifact_url=report and report.artifact.url,
            score=verdict and verdict.score, label=verdict and verdict.label,
            static_s=timings and timings.static_s, dynamic_s=timings and timings.dynamic_s,
            duration_s=duration_s, worker=worker, report_schema=report and report.schema_version,
        )).inserted_primary_key[0]
        for table, table_rows in rows.items():
            if table_rows:
                c.execute(table.insert(), [dict(r, analysis_id=analysis_id) for r in table_rows])
        c.execute(m.releases.update().where(m.releases.c.id == release_id)
                  .values(state="done", finished_at=now, last_error=None))
    return analysis_id


def _behaviour_rows(docs: Documents) -> dict[sa.Table, list[dict]]:
    out: dict[sa.Table, list[dict]] = {t: [] for t in m.CHILD_TABLES}
    for phase, s in (docs.dynamic.Analysis.items() if docs.dynamic else ()):
        out[m.phases].append({"phase": phase, "status": s.Status.value, "stdout": s.Stdout, "stderr": s.Stderr})
        out[m.files] += [{"phase": phase, "path": f.Path, "read": f.Read, "write": f.Write, "delete": f.Delete}
                         for f in s.Files]
        out[m.sockets] += [{"phase": phase, "address": k.Address, "port": k.Port, "hostnames": ",".join(k.Hostnames)}
                           for k in s.Sockets]
        out[m.commands] += [{"phase": phase, "command": json.dumps(c.Command), "command_line": " ".join(c.Command),
                             "environment": json.dumps(c.Environment)} for c in s.Commands]
        out[m.dns] += [{"phase": phase, "class": d.Class, "hostname": q.Hostname, "types": ",".join(q.Types)}
                       for d in s.DNS for q in d.Queries]
    for f in (docs.static.results.files if docs.static else ()):
        out[m.static_files].append({"filename": f.filename, "detected_type": f.detected_type, "size": f.size,
                                    "sha256": f.sha256})
        values = [(kind, v) for kind, vs in (("url", f.urls), ("ip", f.ip_addresses), ("base64", f.base64_strings),
                                             ("hex", f.hex_strings)) for v in vs or ()]
        values += [("escaped", e.raw) for e in f.escaped_strings or ()]
        values += [("suspicious_identifier", i.name) for i in f.suspicious_identifiers or ()]
        out[m.static_indicators] += [{"filename": f.filename, "kind": k, "value": v} for k, v in values]
    verdict = docs.report.verdict if docs.report else None
    out[m.findings] = [{"rule": f.rule, "severity": f.severity, "message": f.message,
                        "evidence": json.dumps(f.evidence, default=str), "hash": f.hash}
                       for f in (verdict.findings if verdict else ())]
    return out
