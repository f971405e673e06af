"""Write the JSON Schema of every public document into schemas/ (checked in; a test fails when
they drift from the models). Run from the repository root after changing a model:

    python -m pkgtrace.api.publish [DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel

from pkgtrace.api import responses
from pkgtrace.api.diff import Diff
from pkgtrace.api.osv import OsvReport
from pkgtrace.api.report import Report
from pkgtrace.api.verify import VerifyDocument

# file name (its schema version) -> the model of that document
DOCUMENTS: dict[str, type[BaseModel]] = {
    "pkgtrace-report-1.schema.json": Report,
    "pkgtrace-diff-1.schema.json": Diff,
    "pkgtrace-verify-1.schema.json": VerifyDocument,
    "osv-1.6.0.schema.json": OsvReport,
    "api-release-detail.schema.json": responses.ReleaseDetail,
    "api-search-result.schema.json": responses.SearchResult,
    "api-package-versions.schema.json": responses.PackageVersions,
    "api-diff.schema.json": responses.Diff,
    "api-submit-response.schema.json": responses.SubmitResponse,
    "api-upload.schema.json": responses.Upload,
    "api-verify-result.schema.json": responses.VerifyResult,
    "api-status.schema.json": responses.Status,
    "api-error.schema.json": responses.Error,
}


def schema_texts() -> dict[str, str]:
    """Each schema file's exact text, as the models produce it."""
    out = {}
    for filename, model in DOCUMENTS.items():
        schema = model.model_json_schema(by_alias=True, mode="serialization")
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": f"https://pkgtrace.invalid/schemas/{filename}", **schema}
        out[filename] = json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def write(dest: Path) -> list[Path]:
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, text in schema_texts().items():
        (dest / filename).write_text(text)
        written.append(dest / filename)
    return written


if __name__ == "__main__":
    for p in write(Path(sys.argv[1] if len(sys.argv) > 1 else "schemas")):
        print(p)
