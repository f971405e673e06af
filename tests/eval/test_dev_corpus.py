"""A few real samples of the development corpus (../shared/corpus), judged statically: their bytes
are only read, never installed or run. Skipped where the corpus is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from clirun import run_cli_json

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"


@pytest.mark.skipif(not (CORPUS / "pypi-malicious-dev.zip").is_file(),
                    reason=f"development corpus not found at {CORPUS}")
def test_first_dev_samples_are_labelled_malicious_statically(tmp_path):
    out = run_cli_json("eval", str(CORPUS), "--side", "malicious", "--limit-malicious", "8",
                       "--no-metadata", "--work", str(tmp_path / "w"), "-j", "2")
    m = out["summary"]["malicious"]
    assert m["evaluated"] == 8 and m["errors"] == 0
    assert m["detected"] >= 7, out["summary"]["missed"]
