"""Every file of the package source tree (Python or not, minus caches) is in the wheel.
Usage: python scripts/wheel_contents.py WHEEL SRC/pkgtrace"""

import sys
import zipfile
from pathlib import Path

wheel, src = Path(sys.argv[1]), Path(sys.argv[2])
have = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("pkgtrace/")}
want = {f"pkgtrace/{p.relative_to(src).as_posix()}" for p in src.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo")}
missing = sorted(want - have)
if missing:
    sys.exit("the wheel lacks:\n  " + "\n  ".join(missing))
print(f"{len(want)} package files, all in {wheel.name}")
