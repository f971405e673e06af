"""Parquet export of the dataset and the BigQuery loader (everything up to the service itself)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from pkgtrace.model import Ecosystem, Package
from pkgtrace.pipeline.export.bigquery import DYNAMIC_SCHEMA, STATIC_SCHEMA, BigQueryLoader, conform, ndjson
from pkgtrace.results.index import load_documents, open_index
from pkgtrace.results.stores import open_store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixture_docs import all_docs, dynamic_doc, static_doc  # noqa: E402


def _dataset(tmp_path, n=3):
    idx_url = f"sqlite:///{tmp_path / 'index.db'}"
    idx = open_index(idx_url)
    store = open_store(str(tmp_path / "results"))
    for i in range(n):
        p = Package(Ecosystem.PYPI, f"p{i}", "1.0")
        docs = all_docs(name=p.name, version="1.0")
        store.put(p, docs)
        load_documents(idx, p, docs, location=store.location(p))
    return idx_url, str(tmp_path / "results")


def test_parquet_export_cli(tmp_path):
    idx_url, _ = _dataset(tmp_path)
    out = tmp_path / "parquet"
    p = subprocess.run([sys.executable, "-m", "pkgtrace.cli", "export", "parquet", str(out), "--index", idx_url,
                        "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)["rows"]
    assert rows["analyses"] == 3 and rows["files"] == 6 and rows["dns"] == 6
    t = pq.read_table(out / "analyses.parquet")
    assert t.num_rows == 3 and str(t.schema.field("loaded_at").type).startswith("timestamp")
    files = pq.read_table(out / "files.parquet").to_pylist()
    assert {f["path"] for f in files} == {"/root/.ssh/id_rsa", "/tmp/payload.sh"}
    assert not list(out.glob(".*.tmp"))


def test_bigquery_schemas_match_documents():
    # Every field of our documents that OSSF's schema knows survives conform(); the rest is dropped.
    d = conform(dynamic_doc(), DYNAMIC_SCHEMA)
    assert d["Package"] == {"Ecosystem": "pypi", "Version": "1.0.0", "Name": "evil-pkg"}
    assert d["Analysis"]["install"]["Sockets"][0]["Hostnames"] == ["exfil.example", "cdn.example"]
    assert d["Analysis"]["execute"]["DNS"][0]["Queries"][0]["Types"] == ["TXT"]
    s = conform(static_doc(), STATIC_SCHEMA)
    f0 = s["results"]["files"][0]
    assert "pkgtrace_extra" not in f0 and f0["escaped_strings"][0]["levenshtein_dist"] == 3
    lines = ndjson([static_doc(), static_doc(name="b")], "static").splitlines()
    assert len(lines) == 2 and json.loads(lines[1])["name"] == "b"


def test_bigquery_loader_builds_tables_and_jobs():
    from google.cloud import bigquery
    loader = BigQueryLoader("proj", "pkgtrace")
    t = loader.table_spec("dynamic")
    assert t.table_id == "analysis" and t.time_partitioning.field == "CreatedTimestamp"
    assert [f.name for f in t.schema] == ["Package", "CreatedTimestamp", "Analysis"]
    install = {f.name: f for f in t.schema[2].fields}["install"]
    assert {f.name for f in install.fields} == {"Status", "Stdout", "Stderr", "DNS", "Commands", "Sockets", "Files"}
    cfg = loader.job_config("static")
    assert cfg.source_format == bigquery.SourceFormat.NEWLINE_DELIMITED_JSON and cfg.ignore_unknown_values
    assert loader.table_id("static") == "proj.pkgtrace.static_analysis"


def test_bigquery_files_for_bq_load(tmp_path):
    _, results = _dataset(tmp_path, n=2)
    out = tmp_path / "bq"
    p = subprocess.run([sys.executable, "-m", "pkgtrace.cli", "export", "bigquery", "--files", str(out),
                        "--results", results, "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rows"] == {"analysis": 2, "static_analysis": 2}
    assert len((out / "analysis.ndjson").read_text().splitlines()) == 2
    assert json.loads((out / "static_analysis.schema.json").read_text())[0]["name"] == "schema_version"


def test_reindex_rebuilds_dataset_from_store(tmp_path):
    _, results = _dataset(tmp_path, n=3)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    p = subprocess.run([sys.executable, "-m", "pkgtrace.cli", "export", "reindex", "--results", results,
                        "--index", fresh, "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"loaded": 3, "failed": 0}
