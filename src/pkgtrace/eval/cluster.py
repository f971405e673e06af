"""Near-duplicate clusters of corpus releases, so that validation measures generalisation.

Malware comes in families: one payload republished under many names with a new URL or a new
variable name. A split that puts one copy in tuning and its twin in testing measures memory. Each
release gets a MinHash signature of the shingles of its code tokens, normalised so that what a
re-publisher changes cheaply (short strings, numbers, the package's own name) does not matter
while what defines the family (the code's shape and any long payload literal) does; releases
whose signatures are close (estimated Jaccard >= THRESHOLD) share a cluster, transitively.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Iterable

from datasketch import MinHash, MinHashLSH

NUM_PERM = 64
SHINGLE = 5
THRESHOLD = 0.7
MAX_TOKENS = 200_000           # of a big release, its first files' tokens are enough
_SEED = 1
_SCHEME = "affine32"      # stored signatures are compared only with ones of the same scheme

_TOKEN = re.compile(r"""[A-Za-z_]\w*|\d[\w.]*|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`]*`|[^\s\w]""")
_PAYLOAD_LEN = 40              # a literal this long is payload: kept (hashed), not normalised


def tokens(files: Iterable[tuple[str, str]], own_name: str = "") -> list[str]:
    """Normalised tokens of (path, text) code files, in path order."""
    own = {own_name.lower(), re.sub(r"[-.]+", "_", own_name.lower())} - {""}
    out: list[str] = []
    for _, text in sorted(files):
        for t in _TOKEN.findall(text):
            c = t[0]
            if c in "\"'`":
                out.append("S" if len(t) < _PAYLOAD_LEN else
                           "P" + hashlib.blake2b(t.encode(), digest_size=6).hexdigest())
            elif c.isdigit():
                out.append("N")
            elif t.lower() in own:
                out.append("PKG")
            else:
                out.append(t)
            if len(out) >= MAX_TOKENS:
                return out
    return out


def signature(toks: list[str]) -> list[int] | None:
    """MinHash of the token shingles; None for a release with no code to compare."""
    if not toks:
        return None
    shingles = {" ".join(toks[i:i + SHINGLE]) for i in range(max(1, len(toks) - SHINGLE + 1))}
    m = MinHash(num_perm=NUM_PERM, seed=_SEED, scheme=_SCHEME)
    m.update_batch([s.encode() for s in shingles])
    return [int(x) for x in m.hashvalues]


def release_signature(artifact: Path, ecosystem: str, name: str) -> list[int] | None:
    """The signature of an artifact's code, read from the archive (never executed)."""
    from pkgtrace.verdict.evidence import read_code
    files = [(c.path.split("/", 1)[-1], c.text) for c in read_code(artifact, ecosystem, set())
             if c.language != "manifest"]
    return signature(tokens(files, name))


def clusters(signatures: dict[str, list[int] | None]) -> dict[str, str]:
    """key -> cluster id (the smallest key in its cluster). Releases without a signature are
    clusters of their own."""
    parent = {k: k for k in signatures}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    hashes: dict[str, MinHash] = {}
    for key in sorted(signatures):
        sig = signatures[key]
        if not sig or len(sig) != NUM_PERM:
            continue
        m = MinHash(num_perm=NUM_PERM, seed=_SEED, hashvalues=sig, scheme=_SCHEME)
        for other in lsh.query(m):
            # LSH proposes candidates; keep only those really above the threshold.
            if m.jaccard(hashes[other]) >= THRESHOLD:
                a, b = find(key), find(other)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        lsh.insert(key, m)
        hashes[key] = m
    return {k: find(k) for k in signatures}
