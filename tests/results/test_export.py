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
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "export", "parquet", str(out), "--index", idx_url,
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
    assert cfg.write_disposition == bigquery.WriteDisposition.WRITE_TRUNCATE
    assert loader.table_id("static") == "proj.pkgtrace.static_analysis"


def test_bigquery_files_for_bq_load(tmp_path):
    _, results = _dataset(tmp_path, n=2)
    out = tmp_path / "bq"
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "export", "bigquery", "--files", str(out),
                        "--results", results, "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["rows"] == {"analysis": 2, "static_analysis": 2}
    assert len((out / "analysis.ndjson").read_text().splitlines()) == 2
    assert json.loads((out / "static_analysis.schema.json").read_text())[0]["name"] == "schema_version"


def test_reindex_rebuilds_dataset_from_store(tmp_path):
    _, results = _dataset(tmp_path, n=3)
    fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
    p = subprocess.run([sys.executable, "-m", "pkgtrace", "export", "reindex", "--results", results,
                        "--index", fresh, "--json"], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {"loaded": 3, "failed": 0}


class FakeBigQuery:
    """The client surface BigQueryLoader uses, recording each load: what a re-run would do."""

    def __init__(self) -> None:
        self.tables: dict[str, list[dict]] = {}
        self.loads: list[tuple[str, object]] = []

    def create_dataset(self, ds, exists_ok=False):
        pass

    def create_table(self, table, exists_ok=False):
        self.tables.setdefault(f"{table.project}.{table.dataset_id}.{table.table_id}", [])

    def load_table_from_file(self, fh, destination, job_config=None):
        from google.cloud import bigquery
        rows = [json.loads(line) for line in fh.read().splitlines()]
        self.loads.append((destination, job_config))
        table, _, day = destination.partition("$")
        mode = job_config.write_disposition
        if mode == bigquery.WriteDisposition.WRITE_APPEND:
            self.tables[table] += rows
        elif day:  # replace one day's partition
            kind_field = "created" if table.endswith("analysis") and "static" in table else "CreatedTimestamp"
            self.tables[table] = [r for r in self.tables[table] if _day(r, kind_field) != day] + rows
        else:
            self.tables[table] = rows

        class Job:
            def result(self_inner):
                return None
        return Job()


def _day(row: dict, field: str) -> str:
    from datetime import datetime, timezone
    v = row.get(field)
    dt = datetime.fromtimestamp(v, timezone.utc) if isinstance(v, (int, float)) else \
        datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    return dt.strftime("%Y%m%d")


def test_bigquery_load_replaces_so_a_rerun_adds_nothing(tmp_path):
    from google.cloud import bigquery
    _, results = _dataset(tmp_path, n=3)
    client = FakeBigQuery()
    loader = BigQueryLoader("proj", "packages", client=client, names="ossf")
    assert loader.load(open_store(results)) == {"analysis": 3, "staticanalysis": 3}
    assert loader.load(open_store(results)) == {"analysis": 3, "staticanalysis": 3}
    assert [len(v) for v in client.tables.values()] == [3, 3]  # not 6: replaced, not appended
    assert set(client.tables) == {"proj.packages.analysis", "proj.packages.staticanalysis"}  # OSSF's names
    cfg = client.loads[-1][1]
    assert cfg.write_disposition == bigquery.WriteDisposition.WRITE_TRUNCATE
    assert cfg.time_partitioning.type_ == bigquery.TimePartitioningType.DAY


def test_bigquery_day_replaces_only_that_partition(tmp_path):
    from datetime import date
    _, results = _dataset(tmp_path, n=2)
    store = open_store(results)
    later = Package(Ecosystem.NPM, "late", "1.0")
    store.put(later, {"dynamic": dynamic_doc(name="late") | {"CreatedTimestamp": 1764100000},
                      "static": static_doc(name="late") | {"created": "2025-11-25T09:00:00Z"}})
    client = FakeBigQuery()
    loader = BigQueryLoader("proj", "pkgtrace", client=client)
    loader.load(store)
    assert loader.load(store, day=date(2025, 11, 25)) == {"analysis": 1, "static_analysis": 1}
    dest = [d for d, _ in client.loads[-2:]]
    assert dest == ["proj.pkgtrace.analysis$20251125", "proj.pkgtrace.static_analysis$20251125"]
    assert len(client.tables["proj.pkgtrace.static_analysis"]) == 3  # the other day untouched


def test_bigquery_without_the_extra_says_which_to_install(tmp_path):
    _, results = _dataset(tmp_path, n=1)
    code = ("import sys; sys.modules['google.cloud.bigquery'] = None; from pkgtrace.cli import main; "
            "sys.argv = ['pkgtrace', 'export', 'bigquery', '--project', 'p', '--results', sys.argv[1]]; main()")
    p = subprocess.run([sys.executable, "-c", code, results], capture_output=True, text=True, timeout=120)
    assert p.returncode == 3 and "Traceback" not in p.stderr
    assert "pip install 'pkgtrace[bigquery]'" in " ".join(p.stderr.split())
    # the files route needs no client at all
    p = subprocess.run([sys.executable, "-c", code.replace("'--project', 'p'", "'--files', sys.argv[2]"),
                        results, str(tmp_path / "bq")], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr


def test_help_names_the_extra_to_install():
    # rich reads a bare [bigquery] as markup: the help once said "pip install 'pkgtrace'"
    from clirun import run_cli
    for args in (["export", "--help"], ["export", "bigquery", "--help"]):
        out = " ".join(run_cli(*args).stdout.replace("│", " ").split())  # help is boxed and wrapped
        assert "pip install 'pkgtrace[bigquery]'" in out, args


def test_missing_backends_name_their_extra(tmp_path):
    code = ("import sys; sys.modules[sys.argv[1]] = None; from pkgtrace.cli import main; "
            "sys.argv = ['pkgtrace', *sys.argv[2:]]; main()")
    cases = [("pyarrow", "parquet", ["export", "parquet", str(tmp_path / "pq"), "--index",
                                      f"sqlite:///{tmp_path / 'i.db'}"]),
             ("boto3", "s3", ["export", "bigquery", "--files", str(tmp_path / "f"), "--results", "s3://b/p"])]
    for module, extra, args in cases:
        p = subprocess.run([sys.executable, "-c", code, module, *args], capture_output=True, text=True, timeout=120)
        assert p.returncode == 3, (module, p.stderr[-1500:])
        assert f"pip install 'pkgtrace[{extra}]'" in " ".join(p.stderr.split()), p.stderr
