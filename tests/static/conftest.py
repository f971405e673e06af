import os
from pathlib import Path

import pytest

from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.static import analyze_artifact


def tree(path: Path) -> set[str]:
    """Every path under PATH, links included, as relative strings."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(path):
        for n in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, n), path))
    return out


@pytest.fixture
def analyse(tmp_path):
    """analyse(bytes_or_path, ecosystem, filename) -> (ossf doc, report section)."""
    def run(data, ecosystem=Ecosystem.PYPI, filename="pkg-1.0.tar.gz", name="pkg", version="1.0",
            **kw):
        if isinstance(data, (bytes, bytearray)):
            path = tmp_path / "in" / filename
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(data)
        else:
            path = Path(data)
        art = Artifact.from_file(Package(ecosystem, name, version), path)
        return analyze_artifact(art, scratch=tmp_path / "scratch", **kw)
    return run
