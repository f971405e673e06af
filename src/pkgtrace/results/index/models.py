"""The dataset's tables (SQLAlchemy Core): one row per release, its analysis, and the behaviour
and findings of that analysis split into tables a researcher can join and aggregate.

Times are unix seconds (float) so that SQLite and PostgreSQL agree and exports stay simple.
Child rows hang off `analyses.id`; re-analysing a release replaces its analysis and children in
one transaction.

Upgrades are additive: a column added to a table here must be nullable, and db.Index adds it to
an index made by an earlier pkgtrace when it opens it (rows loaded before hold NULL there until
the release is loaded again, e.g. by `pkgtrace export reindex`)."""

from __future__ import annotations

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table,
                        Text, UniqueConstraint)

metadata = MetaData()

# Release lifecycle: new (announced) → queuing → queued → running → done | failed | dead | skipped
releases = Table(
    "releases", metadata,
    Column("id", Integer, primary_key=True),
    Column("ecosystem", String(32), nullable=False),
    Column("name", String(512), nullable=False),
    Column("version", String(256), nullable=False),
    Column("state", String(16), nullable=False, default="new"),
    Column("source", String(128)),  # the feed's name, "user", "verify", "bench"
    Column("priority", Integer, nullable=False, default=0),
    Column("force", Boolean, nullable=False, default=False),
    Column("discovered_at", Float, nullable=False),
    Column("published_at", Float),
    Column("queued_at", Float),
    Column("finished_at", Float),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    UniqueConstraint("ecosystem", "name", "version", name="uq_release"),
    Index("ix_releases_state", "state", "priority", "id"),
)

analyses = Table(
    "analyses", metadata,
    Column("id", Integer, primary_key=True),
    Column("release_id", Integer, ForeignKey("releases.id"), nullable=False, unique=True),
    Column("ecosystem", String(32), nullable=False),
    Column("name", String(512), nullable=False),
    Column("version", String(256), nullable=False),
    Column("created", Float),  # when the analysis ran (the report's `created`)
    Column("loaded_at", Float, nullable=False),
    Column("kinds", String(64)),  # documents present: "static,dynamic,report"
    Column("location", Text),  # where the documents are stored
    Column("artifact_filename", Text),
    Column("artifact_sha256", String(64)),
    Column("artifact_url", Text),
    Column("score", Float),
    Column("label", String(16)),  # benign | suspicious | malicious
    Column("static_s", Float),
    Column("dynamic_s", Float),
    Column("duration_s", Float),  # wall time of the whole job in the worker
    Column("worker", String(128)),
    Column("report_schema", String(64)),
    Index("ix_analyses_pkg", "ecosystem", "name", "version"),
    Index("ix_analyses_loaded", "loaded_at"),
)


def _child(name: str, *cols: Column) -> Table:
    return Table(name, metadata,
                 Column("id", Integer, primary_key=True),
                 Column("analysis_id", Integer, ForeignKey("analyses.id"), nullable=False, index=True),
                 *cols)


findings = _child(
    "findings",
    Column("rule", String(256), nullable=False),
    Column("severity", String(16)),
    Column("message", Text),
    Column("evidence", Text),  # JSON
    Column("hash", Text),  # the content hash suppressions key on (api.findings.Finding.hash)
)

phases = _child(
    "phases",
    Column("phase", String(32), nullable=False),
    Column("status", String(32)),
    Column("stdout", Text),  # base64, as in the OSSF document
    Column("stderr", Text),
)

files = _child(
    "files",
    Column("phase", String(32), nullable=False),
    Column("path", Text, nullable=False),
    Column("read", Boolean, nullable=False, default=False),
    Column("write", Boolean, nullable=False, default=False),
    Column("delete", Boolean, nullable=False, default=False),
)

sockets = _child(
    "sockets",
    Column("phase", String(32), nullable=False),
    Column("address", String(128)),
    Column("port", Integer),
    Column("hostnames", Text),  # comma-separated
)

commands = _child(
    "commands",
    Column("phase", String(32), nullable=False),
    Column("command", Text),  # JSON array, exactly as recorded
    Column("command_line", Text),  # the array joined with spaces, for LIKE
    Column("environment", Text),  # JSON array
)

dns = _child(
    "dns",
    Column("phase", String(32), nullable=False),
    Column("class", String(16)),
    Column("hostname", Text, nullable=False),
    Column("types", String(128)),  # comma-separated
)

static_files = _child(
    "static_files",
    Column("filename", Text, nullable=False),
    Column("detected_type", String(128)),
    Column("size", Integer),
    Column("sha256", String(64)),
)

# URLs, IPs, encoded strings and suspicious identifiers the static analysis found, one per row.
static_indicators = _child(
    "static_indicators",
    Column("filename", Text),
    Column("kind", String(32), nullable=False),  # url | ip | base64 | hex | escaped | suspicious_identifier
    Column("value", Text),
)

feed_state = Table(
    "feed_state", metadata,
    Column("feed", String(128), primary_key=True),
    Column("ecosystem", String(32)),
    Column("cursor", Text),
    Column("updated_at", Float),
    Column("last_ok", Float),
    Column("last_error", Text),
    Column("last_error_at", Float),
    Column("errors", Integer, nullable=False, default=0),  # consecutive failures
    Column("releases_total", Integer, nullable=False, default=0),
    Column("last_release_at", Float),  # newest publish time announced
    Column("notes", Text),
)

# Known-malicious intelligence imported from OSV (ossf/malicious-packages, osv.dev exports): one
# row per (record, affected package); verify flags a release it covers even if never analysed.
osv_records = Table(
    "osv_records", metadata,
    Column("id", Integer, primary_key=True),
    Column("record_id", String(128), nullable=False),   # MAL-2024-1234
    Column("ecosystem", String(32), nullable=False),    # pkgtrace's: pypi, npm, …
    Column("name", String(512), nullable=False),
    Column("versions", Text),                           # JSON list of affected versions
    Column("ranges", Text),                             # JSON list of OSV ranges
    Column("summary", Text),
    Column("modified", String(64)),
    Column("source", Text),                             # the file it was imported from
    Column("imported_at", Float, nullable=False),
    UniqueConstraint("record_id", "ecosystem", "name", name="uq_osv_record_package"),
    Index("ix_osv_package", "ecosystem", "name"),
)

CHILD_TABLES = (findings, phases, files, sockets, commands, dns, static_files, static_indicators)
DATASET_TABLES = (releases, analyses) + CHILD_TABLES
