"""Documents → rows: a release's OSSF dynamic and static documents and its pkgtrace report become
one `analyses` row and its behaviour rows. Loading the same release again replaces all of it in
one transaction, so the dataset holds each release exactly once."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from pkgtrace.model import Package
from pkgtrace.results.index import models as m
from pkgtrace.results.index.db import Index, _insert_ignore


class DocumentError(ValueError):
    """A document does not have the shape its schema promises."""


def load_documents(index: Index, package: Package, documents: dict[str, dict], *,
                   location: str | None = None, duration_s: float | None = None,
                   worker: str | None = None) -> int:
    """Replace the release's analysis in the index; the new analyses.id."""
    report = documents.get("report") or {}
    rows = _behaviour_rows(documents)
    verdict = report.get("verdict") if isinstance(report.get("verdict"), dict) else {}
    artifact = report.get("artifact") if isinstance(report.get("artifact"), dict) else {}
    timings = report.get("timings") if isinstance(report.get("timings"), dict) else {}
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
            created=_num(report.get("created")), loaded_at=now,
            kinds=",".join(sorted(documents)), location=location,
            artifact_filename=artifact.get("filename"), artifact_sha256=artifact.get("sha256"),
            artifact_url=artifact.get("url"),
            score=_num(verdict.get("score")), label=verdict.get("label") if isinstance(verdict.get("label"), str) else None,
            static_s=_num(timings.get("static_s")), dynamic_s=_num(timings.get("dynamic_s")),
            duration_s=duration_s, worker=worker, report_schema=report.get("schema_version"),
        )).inserted_primary_key[0]
        for table, table_rows in rows.items():
            if table_rows:
                c.execute(table.insert(), [dict(r, analysis_id=analysis_id) for r in table_rows])
        c.execute(m.releases.update().where(m.releases.c.id == release_id)
                  .values(state="done", finished_at=now, last_error=None))
    return analysis_id


def _num(v) -> float | None:
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _behaviour_rows(documents: dict[str, dict]) -> dict[sa.Table, list[dict]]:
    out: dict[sa.Table, list[dict]] = {t: [] for t in m.CHILD_TABLES}
    dyn = documents.get("dynamic")
    if dyn:
        analysis = dyn.get("Analysis") if isinstance(dyn, dict) else None
        if not isinstance(analysis, dict):
            raise DocumentError("dynamic document has no Analysis object")
        for phase, s in analysis.items():
            if not isinstance(s, dict):
                raise DocumentError(f"dynamic phase {phase!r} is not an object")
            out[m.phases].append({"phase": phase, "status": s.get("Status"),
                                  "stdout": s.get("Stdout") or "", "stderr": s.get("Stderr") or ""})
            for f in s.get("Files") or []:
                out[m.files].append({"phase": phase, "path": str(f.get("Path", "")), "read": bool(f.get("Read")),
                                     "write": bool(f.get("Write")), "delete": bool(f.get("Delete"))})
            for k in s.get("Sockets") or []:
                port = k.get("Port")
                out[m.sockets].append({"phase": phase, "address": k.get("Address"),
                                       "port": int(port) if isinstance(port, int) else None,
                                       "hostnames": ",".join(k.get("Hostnames") or [])})
            for cmd in s.get("Commands") or []:
                argv = [str(a) for a in cmd.get("Command") or []]
                out[m.commands].append({"phase": phase, "command": json.dumps(argv),
                                        "command_line": " ".join(argv),
                                        "environment": json.dumps(cmd.get("Environment") or [])})
            for d in s.get("DNS") or []:
                for q in d.get("Queries") or []:
                    out[m.dns].append({"phase": phase, "class": d.get("Class"), "hostname": str(q.get("Hostname", "")),
                                       "types": ",".join(q.get("Types") or [])})
    static = documents.get("static")
    if static:
        files = ((static.get("results") or {}).get("files") or []) if isinstance(static, dict) else None
        if files is None or not isinstance(files, list):
            raise DocumentError("static document has no results.files list")
        for f in files:
            if not isinstance(f, dict):
                continue
            fn = f.get("filename")
            out[m.static_files].append({"filename": str(fn), "detected_type": f.get("detected_type"),
                                        "size": f.get("size") if isinstance(f.get("size"), int) else None,
                                        "sha256": f.get("sha256")})
            for kind, field in (("url", "urls"), ("ip", "ip_addresses"), ("base64", "base64_strings"),
                                ("hex", "hex_strings")):
                for v in f.get(field) or []:
                    out[m.static_indicators].append({"filename": fn, "kind": kind, "value": str(v)})
            for e in f.get("escaped_strings") or []:
                out[m.static_indicators].append({"filename": fn, "kind": "escaped",
                                                 "value": str(e.get("raw") if isinstance(e, dict) else e)})
            for s in f.get("suspicious_identifiers") or []:
                out[m.static_indicators].append({"filename": fn, "kind": "suspicious_identifier",
                                                 "value": str(s.get("name") if isinstance(s, dict) else s)})
    report = documents.get("report") or {}
    verdict = report.get("verdict") if isinstance(report, dict) else None
    if isinstance(verdict, dict):
        for f in verdict.get("findings") or []:
            if isinstance(f, dict) and f.get("rule"):
                out[m.findings].append({"rule": str(f["rule"]), "severity": f.get("severity"),
                                        "message": f.get("message"),
                                        "evidence": json.dumps(f.get("evidence") or {}, default=str)})
    return out
