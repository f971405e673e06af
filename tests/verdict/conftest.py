"""Judging fixture archives the way analyze() does: the real static pass, then the verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from pkgtrace.model import Artifact, Ecosystem, Package
from pkgtrace.static import analyze_artifact
from pkgtrace.verdict import judge

_FILENAMES = {Ecosystem.PYPI: "{n}-{v}.tar.gz", Ecosystem.NPM: "{n}-{v}.tgz",
              Ecosystem.RUBYGEMS: "{n}-{v}.gem", Ecosystem.PACKAGIST: "{n}-{v}.zip",
              Ecosystem.CRATES: "{n}-{v}.crate"}


def judge_archive(tmp: Path, data: bytes, ecosystem: Ecosystem, name: str, version: str = "1.0.0",
                  metadata: dict | None = None, suppressions=None) -> dict:
    path = tmp / _FILENAMES[ecosystem].format(n=name.replace("/", "-"), v=version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    art = Artifact.from_file(Package(ecosystem, name, version), path)
    doc, section = analyze_artifact(art)
    report = {"package": {"ecosystem": ecosystem.value, "name": name, "version": version},
              "artifact": {"filename": path.name, "sha256": art.sha256}, "static": section}
    return judge({"static": doc, "report": report}, artifact=path, metadata=metadata,
                 suppressions=[] if suppressions is None else suppressions)


@pytest.fixture
def judged(tmp_path):
    counter = iter(range(10_000))

    def run(data: bytes, ecosystem: Ecosystem, name: str, **kw) -> dict:
        return judge_archive(tmp_path / str(next(counter)), data, ecosystem, name, **kw)
    return run
