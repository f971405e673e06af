"""The dataset as Parquet: one file per index table (releases, analyses, findings, phases, files,
sockets, commands, dns, static_files, static_indicators), streamed in batches so the export's memory
stays flat however big the dataset is. Each file is written beside its final name and renamed."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import sqlalchemy as sa

from pkgtrace.results.index import Index
from pkgtrace.results.index.models import DATASET_TABLES

BATCH = 50_000


def _arrow_type(col: sa.Column) -> pa.DataType:
    t = col.type
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.Integer):
        return pa.int64()
    if isinstance(t, sa.Float):
        # Our times are unix seconds; Parquet readers want real timestamps.
        return pa.timestamp("us", tz="UTC") if col.name.endswith(("_at", "created")) else pa.float64()
    return pa.string()


def schema_for(table: sa.Table) -> pa.Schema:
    return pa.schema([pa.field(c.name, _arrow_type(c)) for c in table.columns])


def export_parquet(index: Index, dest: Path, tables: list[str] | None = None) -> dict[str, int]:
    """Write DEST/<table>.parquet for every dataset table; {table: rows}."""
    dest.mkdir(parents=True, exist_ok=True)
    counts = {}
    for table in DATASET_TABLES:
        if tables and table.name not in tables:
            continue
        schema = schema_for(table)
        final = dest / f"{table.name}.parquet"
        tmp = dest / f".{table.name}.parquet.tmp"
        n = 0
        with pq.ParquetWriter(tmp, schema, compression="zstd") as w, index.engine.connect() as c:
            result = c.execution_options(stream_results=True).execute(sa.select(table).order_by(table.c.id))
            while True:
                rows = result.fetchmany(BATCH)
                if not rows:
                    break
                cols = {}
                for i, f in enumerate(schema):
                    values = [r[i] for r in rows]
                    if pa.types.is_timestamp(f.type):
                        values = [None if v is None else int(v * 1_000_000) for v in values]
                    cols[f.name] = pa.array(values, type=pa.int64() if pa.types.is_timestamp(f.type) else f.type)
                    if pa.types.is_timestamp(f.type):
                        cols[f.name] = cols[f.name].cast(f.type)
                w.write_table(pa.table(cols, schema=schema))
                n += len(rows)
        os.replace(tmp, final)
        counts[table.name] = n
    return counts
