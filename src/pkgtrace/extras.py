"""Optional backends: a heavy client library is an extra (`pip install 'pkgtrace[s3]'`), and a
command that needs a missing one says which extra to install instead of failing on an import."""

from __future__ import annotations

import importlib
from types import ModuleType

# extra -> (what it enables, the distribution to install, the module to import)
EXTRAS = {
    "s3": ("S3 results stores", "boto3", "boto3"),
    "postgres": ("PostgreSQL indexes", "psycopg", "psycopg"),
    "redis": ("Redis queues and notifications", "redis", "redis"),
    "parquet": ("Parquet export", "pyarrow", "pyarrow"),
    "bigquery": ("BigQuery export", "google-cloud-bigquery", "google.cloud.bigquery"),
}


class MissingExtra(RuntimeError):
    """An optional dependency is not installed; the message names the extra that brings it."""

    def __init__(self, extra: str) -> None:
        what, dist, _ = EXTRAS[extra]
        super().__init__(f"{what}: this requires {dist}, which is not installed: "
                         f"pip install 'pkgtrace[{extra}]'")
        self.extra = extra


def require(extra: str, module: str | None = None) -> ModuleType:
    """The extra's module (or MODULE, one it brings), imported; MissingExtra when not installed."""
    try:
        return importlib.import_module(module or EXTRAS[extra][2])
    except ImportError:
        raise MissingExtra(extra) from None
