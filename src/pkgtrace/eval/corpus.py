"""A labelled corpus: malicious releases in (possibly encrypted) zips, benign releases named in
lists to be fetched from the real registries.

Layout of a corpus folder (../shared/corpus is one):
  <ecosystem>-malicious*.zip   members NAME/VERSION/ARCHIVE; password via --password
  benign*-<ecosystem>.txt      one package name per line (# comments), latest release is used
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pkgtrace.model import Ecosystem

_ECOS = "|".join(re.escape(e.value) for e in Ecosystem)
_MALICIOUS = re.compile(rf"^({_ECOS})-malicious.*\.zip$")
_BENIGN = re.compile(rf"^benign.*-({_ECOS})\.txt$")


class CorpusError(ValueError):
    pass


@dataclass(frozen=True)
class Item:
    side: str            # malicious | benign
    ecosystem: str
    name: str
    version: str | None
    zip_path: str | None = None    # malicious: the zip holding it
    member: str | None = None      # malicious: the archive's path inside the zip

    @property
    def key(self) -> str:
        """Stable, file-name-safe id: results are stored under it (resumability)."""
        raw = f"{self.side}/{self.ecosystem}/{self.name}" + (f"@{self.version}" if self.version else "")
        return re.sub(r"[^A-Za-z0-9@._+-]+", "_", raw.replace("/", "__"))

    @property
    def label(self) -> str:
        return f"{self.ecosystem}/{self.name}" + (f"@{self.version}" if self.version else "")


def malicious_items(zip_path: Path) -> list[Item]:
    m = _MALICIOUS.match(zip_path.name)
    if not m:
        raise CorpusError(f"{zip_path.name}: expected ECOSYSTEM-malicious*.zip")
    try:
        with zipfile.ZipFile(zip_path) as z:
            members = [n for n in z.namelist() if not n.endswith("/")]
    except (OSError, zipfile.BadZipFile) as e:
        raise CorpusError(f"{zip_path}: not a readable zip ({e})") from e
    items = []
    for member in sorted(members):
        parts = member.split("/")
        if len(parts) < 3:
            continue
        items.append(Item("malicious", m.group(1), parts[0], parts[1], str(zip_path), member))
    return items


def benign_items(list_path: Path) -> list[Item]:
    m = _BENIGN.match(list_path.name)
    if not m:
        raise CorpusError(f"{list_path.name}: expected benign*-ECOSYSTEM.txt")
    names = []
    for line in list_path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line and line not in names:
            names.append(line)
    return [Item("benign", m.group(1), n, None) for n in names]


def load(corpus: Path) -> tuple[list[Item], list[Item]]:
    """(malicious, benign) items of the corpus folder."""
    if not corpus.is_dir():
        raise CorpusError(f"{corpus}: not a folder")
    mal: list[Item] = []
    ben: list[Item] = []
    for p in sorted(corpus.iterdir()):
        if _MALICIOUS.match(p.name):
            mal.extend(malicious_items(p))
        elif _BENIGN.match(p.name):
            ben.extend(benign_items(p))
    if not mal and not ben:
        raise CorpusError(f"{corpus}: no ECOSYSTEM-malicious*.zip and no benign*-ECOSYSTEM.txt in it")
    return mal, ben


def take(items: list[Item], limit: int | None, per_ecosystem: bool = True,
         seed: int | None = None) -> list[Item]:
    """The first LIMIT items of each ecosystem (the lists' own order: reproducible), or with SEED
    a random sample of LIMIT per ecosystem drawn with that seed (reproducible too)."""
    if limit is None:
        return items
    if seed is not None:
        import random
        items = random.Random(seed).sample(items, len(items))
    out: list[Item] = []
    counts: dict[str, int] = {}
    for it in items:
        k = it.ecosystem if per_ecosystem else ""
        if counts.get(k, 0) < limit:
            out.append(it)
            counts[k] = counts.get(k, 0) + 1
    return out
