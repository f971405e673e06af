"""The PyPI dev corpus (../shared/corpus) analyses statically without a crash.

The samples are live malware: their archive bytes are copied one at a time into pytest's
temporary folder (never into the repository), read by the static pass, and deleted. Nothing is
installed, imported or run.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import pytest

from pkgtrace.api.ossf_static import StaticRecord
from pkgtrace.ecosystems import RegistryError
from pkgtrace.ecosystems.pypi import PyPI
from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.static import analyze_artifact

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "pypi-malicious-dev.zip"
CHUNKS = 6  # so that `-n 2` spreads the corpus over both workers


def _names() -> list[str]:
    if not CORPUS.exists():
        return []
    with zipfile.ZipFile(CORPUS) as z:
        return sorted(i.filename for i in z.infolist() if not i.is_dir())


@pytest.mark.skipif(not CORPUS.exists(), reason=f"the dev corpus is not at {CORPUS}")
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_malicious_corpus_analyses_without_crash(tmp_path, chunk):
    names = _names()[chunk::CHUNKS]
    assert names
    scratch = tmp_path / "scratch"
    status: Counter[str] = Counter()
    hooks = signals = 0
    with zipfile.ZipFile(CORPUS) as z:
        for name in names:
            path = tmp_path / Path(name).name
            path.write_bytes(z.read(name, pwd=b"infected"))
            try:
                pkg = PyPI().identify_local(path)
            except RegistryError:
                pkg = Package(Ecosystem.PYPI, Path(name).parts[0], Path(name).parts[1])
            doc, section = analyze_artifact(Artifact.from_file(pkg, path), scratch=scratch)
            path.unlink()
            StaticRecord.model_validate(doc)
            assert doc["results"]["files"], name
            status[section["extraction"]["status"]] += 1
            hooks += any(h["kind"] == "setup.py" for h in section["install_hooks"])
            signals += bool({"base64", "url", "ip", "decoded_base64", "char_codes",
                             "escaped_string"} & set(section["summary"]["signals"]))
            assert not list(scratch.iterdir()), "the static pass cleans up after itself"
    assert status["failed"] == 0, status
    # Malware announces itself: almost every sample runs code from setup.py, and most carry an
    # address, a URL or an encoded blob (counted on the whole corpus: 280 and 260 of 300).
    assert hooks >= 0.85 * len(names), (hooks, len(names))
    assert signals >= 0.75 * len(names), (signals, len(names))
