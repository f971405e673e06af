"""Load our OSSF-shaped documents into BigQuery tables that carry OSSF's published schemas
(package-analysis' dynamic-analysis and static-analysis loader schemas), so queries written for
their public dataset run on ours.

A load replaces, as OSSF's loader does (WRITE_TRUNCATE): running it again leaves each document
once. With a day, only that day's partition is replaced (`table$YYYYMMDD`), from the documents
created that day. Table names are pkgtrace's (analysis, static_analysis) or, with names="ossf",
OSSF's (analysis, staticanalysis; its dataset is `packages`).

Everything up to the client call is ours and tested: the schemas, the newline-delimited JSON, the
table and load-job configuration. `load()` then calls google-cloud-bigquery (the `bigquery`
extra), which needs Google credentials and a reachable BigQuery API; `write_files()` produces the
same NDJSON and schema JSON for `bq load` instead."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from pkgtrace.extras import require
from pkgtrace.results.stores import ResultStore


def _f(name: str, type_: str, mode: str = "NULLABLE", fields: list[dict] | None = None) -> dict:
    d = {"name": name, "type": type_, "mode": mode}
    if fields is not None:
        d["fields"] = fields
    return d


def _phase(name: str) -> dict:
    # One sandbox phase, as in OSSF's dynamic schema (field order as theirs).
    return _f(name, "RECORD", fields=[
        _f("Status", "STRING"),
        _f("Stdout", "BYTES"),
        _f("Stderr", "STRING"),
        _f("DNS", "RECORD", "REPEATED", [_f("Class", "STRING"), _f("Queries", "RECORD", "REPEATED", [
            _f("Hostname", "STRING"), _f("Types", "STRING", "REPEATED")])]),
        _f("Commands", "RECORD", "REPEATED", [_f("Command", "STRING", "REPEATED"),
                                              _f("Environment", "STRING", "REPEATED")]),
        _f("Sockets", "RECORD", "REPEATED", [_f("Hostnames", "STRING", "REPEATED"), _f("Port", "INTEGER"),
                                             _f("Address", "STRING")]),
        _f("Files", "RECORD", "REPEATED", [_f("Delete", "BOOLEAN"), _f("Write", "BOOLEAN"), _f("Read", "BOOLEAN"),
                                           _f("Path", "STRING")]),
    ])


# OSSF publishes install and import; our documents add execute, which their loader ignores.
DYNAMIC_SCHEMA: list[dict] = [
    _f("Package", "RECORD", fields=[_f("Ecosystem", "STRING"), _f("Version", "STRING"), _f("Name", "STRING")]),
    _f("CreatedTimestamp", "TIMESTAMP"),
    _f("Analysis", "RECORD", fields=[_phase("install"), _phase("import"), _phase("execute")]),
]


def _counts(name: str) -> dict:
    return _f(name, "RECORD", "REPEATED", [_f("value", "INT64", "REQUIRED"), _f("count", "INT64", "REQUIRED")])


STATIC_SCHEMA: list[dict] = [
    _f("schema_version", "STRING", "REQUIRED"),
    _f("ecosystem", "STRING", "REQUIRED"),
    _f("name", "STRING", "REQUIRED"),
    _f("version", "STRING", "REQUIRED"),
    _f("created", "TIMESTAMP", "REQUIRED"),
    _f("results", "RECORD", fields=[_f("files", "RECORD", "REPEATED", [
        _f("filename", "STRING", "REQUIRED"),
        _f("detected_type", "STRING"),
        _f("size", "INT64"),
        _f("sha256", "STRING"),
        _counts("line_lengths"),
        _f("js", "RECORD", fields=[
            _f("identifiers", "RECORD", "REPEATED", [_f("name", "STRING", "REQUIRED"), _f("type", "STRING"),
                                                     _f("entropy", "FLOAT64")]),
            _f("string_literals", "RECORD", "REPEATED", [_f("value", "STRING", "REQUIRED"), _f("raw", "STRING"),
                                                         _f("entropy", "FLOAT64")]),
            _f("int_literals", "RECORD", "REPEATED", [_f("value", "INT64", "REQUIRED"), _f("raw", "STRING")]),
            _f("float_literals", "RECORD", "REPEATED", [_f("value", "FLOAT64", "REQUIRED"),
                                                        _f("raw", "STRING", "REQUIRED")]),
            _f("comments", "RECORD", "REPEATED", [_f("text", "STRING", "REQUIRED")]),
        ]),
        _counts("identifier_lengths"),
        _counts("string_lengths"),
        _f("suspicious_identifiers", "RECORD", "REPEATED", [_f("name", "STRING", "REQUIRED"), _f("rule", "STRING")]),
        _f("escaped_strings", "RECORD", "REPEATED", [_f("value", "STRING", "REQUIRED"), _f("raw", "STRING", "REQUIRED"),
                                                     _f("levenshtein_dist", "INT64")]),
        _f("base64_strings", "STRING", "REPEATED"),
        _f("hex_strings", "STRING", "REPEATED"),
        _f("ip_addresses", "STRING", "REPEATED"),
        _f("urls", "STRING", "REPEATED"),
    ])]),
]

SCHEMAS = {"dynamic": DYNAMIC_SCHEMA, "static": STATIC_SCHEMA}
TABLE_NAMES = {"pkgtrace": {"dynamic": "analysis", "static": "static_analysis"},
               "ossf": {"dynamic": "analysis", "static": "staticanalysis"}}  # function/loader/load.go
PARTITION_FIELD = {"dynamic": "CreatedTimestamp", "static": "created"}


def created_day(doc: dict, kind: str) -> date | None:
    """The UTC day a document was created (its partition), from its partition field."""
    v = doc.get(PARTITION_FIELD[kind])
    try:
        if isinstance(v, (int, float)):
            return datetime.fromtimestamp(v, timezone.utc).date()
        if isinstance(v, str):
            return datetime.fromisoformat(v.replace("Z", "+00:00")).astimezone(timezone.utc).date()
    except (ValueError, OverflowError, OSError):
        return None
    return None


def conform(doc: dict, schema: list[dict]) -> dict:
    """Keep only what the schema has (BigQuery would reject or drop the rest), recursively, and
    fill REQUIRED scalars that are missing so a row is never refused for an absent field."""
    out = {}
    for f in schema:
        v = doc.get(f["name"]) if isinstance(doc, dict) else None
        if v is None:
            if f["mode"] == "REQUIRED" and f["type"] in ("STRING",):
                out[f["name"]] = ""
            continue
        if f["type"] == "RECORD":
            if f["mode"] == "REPEATED":
                out[f["name"]] = [conform(x, f["fields"]) for x in v if isinstance(x, dict)]
            elif isinstance(v, dict):
                out[f["name"]] = conform(v, f["fields"])
        elif f["mode"] == "REPEATED":
            out[f["name"]] = list(v) if isinstance(v, list) else [v]
        else:
            out[f["name"]] = v
    return out


def ndjson(docs: Iterable[dict], kind: str) -> bytes:
    schema = SCHEMAS[kind]
    return b"".join(json.dumps(conform(d, schema), separators=(",", ":")).encode() + b"\n" for d in docs)


def documents(store: ResultStore, kind: str) -> Iterator[dict]:
    for pkg in store.list():
        doc = store.get(pkg, kind)
        if doc:
            yield doc


def write_files(store: ResultStore, dest: Path, *, names: str = "pkgtrace",
                day: date | None = None) -> dict[str, int]:
    """DEST/<table>.ndjson and DEST/<table>.schema.json for `bq load --replace
    --source_format=NEWLINE_DELIMITED_JSON` (with DAY: that day's documents, for `table$YYYYMMDD`)."""
    dest.mkdir(parents=True, exist_ok=True)
    counts = {}
    for kind, table in TABLE_NAMES[names].items():
        docs = [d for d in documents(store, kind) if day is None or created_day(d, kind) == day]
        (dest / f"{table}.ndjson").write_bytes(ndjson(docs, kind))
        (dest / f"{table}.schema.json").write_text(json.dumps(SCHEMAS[kind], indent=2))
        counts[table] = len(docs)
    return counts


@dataclass
class BigQueryLoader:
    project: str
    dataset: str
    location: str = "US"
    client: object | None = None  # a google.cloud.bigquery.Client; built from the environment if None
    names: str = "pkgtrace"       # table names: "pkgtrace" or "ossf"

    def _client(self):
        if self.client is None:
            bigquery = require("bigquery")
            self.client = bigquery.Client(project=self.project, location=self.location)
        return self.client

    def table_id(self, kind: str) -> str:
        return f"{self.project}.{self.dataset}.{TABLE_NAMES[self.names][kind]}"

    def table_spec(self, kind: str):
        """The Table to create: OSSF's schema, partitioned by day on the document's timestamp."""
        bigquery = require("bigquery")
        table = bigquery.Table(self.table_id(kind),
                               schema=[bigquery.SchemaField.from_api_repr(f) for f in SCHEMAS[kind]])
        table.time_partitioning = bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY,
                                                            field=PARTITION_FIELD[kind])
        return table

    def job_config(self, kind: str):
        """Replace what the destination (table or day partition) holds, as OSSF's loader does."""
        bigquery = require("bigquery")
        return bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.NEWLINE_DELIMITED_JSON,
            schema=[bigquery.SchemaField.from_api_repr(f) for f in SCHEMAS[kind]],
            write_disposition=bigquery.WriteDisposition.WRITE_TRUNCATE,
            time_partitioning=bigquery.TimePartitioning(type_=bigquery.TimePartitioningType.DAY,
                                                        field=PARTITION_FIELD[kind]),
            ignore_unknown_values=True,
        )

    def ensure_tables(self) -> None:
        bigquery = require("bigquery")
        c = self._client()
        ds = bigquery.Dataset(f"{self.project}.{self.dataset}")
        ds.location = self.location
        c.create_dataset(ds, exists_ok=True)
        for kind in TABLE_NAMES[self.names]:
            c.create_table(self.table_spec(kind), exists_ok=True)

    def load(self, store: ResultStore, day: date | None = None) -> dict[str, int]:
        """Create the tables if needed and replace their content with every stored document (with
        DAY: replace that day's partition with the documents created that day); {table: rows}.
        An empty source still replaces: what the store no longer holds leaves the table too."""
        self.ensure_tables()
        c = self._client()
        counts = {}
        for kind, table in TABLE_NAMES[self.names].items():
            docs = [d for d in documents(store, kind) if day is None or created_day(d, kind) == day]
            dest = self.table_id(kind) + (f"${day:%Y%m%d}" if day else "")
            job = c.load_table_from_file(io.BytesIO(ndjson(docs, kind)), dest,
                                         job_config=self.job_config(kind))
            job.result()
            counts[table] = len(docs)
        return counts
