"""A small labelled corpus folder as `pkgtrace eval` reads it: the malicious zip (entries
NAME/VERSION/FILE, as the dev corpus lays them out) and benign name lists."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path


def corpus_folder(tmp_path: Path, malicious: dict[str, bytes], lists: dict[str, str]) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for entry, data in malicious.items():
            z.writestr(entry, data)
    (folder / "pypi-malicious-test.zip").write_bytes(buf.getvalue())
    for name, text in lists.items():
        (folder / name).write_text(text)
    return folder
