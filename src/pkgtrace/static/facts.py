"""Per-file facts, as OSSF's basicdata collects them: libmagic type, size, SHA-256, line lengths."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

# libmagic judges text encodings by scanning what it is given; its head is enough and keeps a
# 50 MB bundle from costing a second full pass.
_MAGIC_BYTES = 1 << 16
_magic = None


_TYPE_CACHE: dict[str, str] = {}  # sha256 -> type: licences, empty __init__.py and vendored
_TYPE_CACHE_MAX = 8192            # files recur across packages and releases


def detect_type(head: bytes, sha256: str | None = None) -> str:
    if sha256 is not None:
        hit = _TYPE_CACHE.get(sha256)
        if hit is None:
            hit = _TYPE_CACHE[sha256] = detect_type(head)
            if len(_TYPE_CACHE) > _TYPE_CACHE_MAX:
                _TYPE_CACHE.pop(next(iter(_TYPE_CACHE)))
        return hit
    global _magic
    if _magic is None:
        import magic
        _magic = magic.Magic()
    try:
        return _magic.from_buffer(head[:_MAGIC_BYTES])
    except Exception as e:  # libmagic errors are data about the file, not a failure of ours
        return f"unknown ({type(e).__name__})"


@dataclass
class FileFacts:
    detected_type: str
    size: int
    sha256: str
    line_lengths: dict[int, int]   # length in bytes (newline and CR not counted) -> count
    is_text: bool

    @property
    def max_line_length(self) -> int:
        return max(self.line_lengths, default=0)

    @property
    def lines(self) -> int:
        return sum(self.line_lengths.values())


def line_length_counts(data: bytes) -> dict[int, int]:
    """OSSF's line lengths: split on \\n, a trailing \\r is part of the separator, an empty file
    has one line of length 0, and the empty string after a final newline is not a line."""
    if not data:
        return {0: 1}
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    if b"\r" in data:
        counts = Counter(len(ln) - 1 if ln.endswith(b"\r") else len(ln) for ln in lines)
    else:
        counts = Counter(map(len, lines))
    return dict(sorted(counts.items()))


def looks_text(head: bytes) -> bool:
    """Binary if the head holds a NUL byte or fails to decode as UTF-8 or Latin-1 text mostly."""
    if b"\x00" in head[:8192]:
        return False
    sample = head[:8192]
    if not sample:
        return True
    try:
        sample.decode("utf-8")
        return True
    except UnicodeDecodeError as e:
        if e.start >= len(sample) - 4:  # a multi-byte character cut at the sample's end
            return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control / len(sample) < 0.05


def facts_for(data: bytes, size: int | None = None, sha256: str | None = None,
              detected_type: str | None = None) -> FileFacts:
    """DETECTED_TYPE: libmagic's answer when it was already had (see magicworker)."""
    digest = sha256 or hashlib.sha256(data).hexdigest()
    return FileFacts(
        detected_type=detected_type if detected_type is not None else
        detect_type(data, digest if size is None else None),
        size=len(data) if size is None else size,
        sha256=digest,
        line_lengths=line_length_counts(data),
        is_text=looks_text(data),
    )


def facts_for_path(path: Path, max_in_memory: int,
                   detected_type: str | None = None) -> tuple[FileFacts, bytes]:
    """Facts for a file, and its bytes (at most MAX_IN_MEMORY of them) for later stages."""
    size = path.stat().st_size
    if size <= max_in_memory:
        data = path.read_bytes()
        return facts_for(data, detected_type=detected_type), data
    # Too large to hold: hash and count lines in chunks, keep only the head.
    h = hashlib.sha256()
    counts: Counter[int] = Counter()
    carry = b""
    head = b""
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
            if not head:
                head = chunk[:max_in_memory]
            buf = carry + chunk
            lines = buf.split(b"\n")
            carry = lines.pop()
            counts.update(len(ln) - 1 if ln.endswith(b"\r") else len(ln) for ln in lines)
    if carry:
        counts[len(carry) - 1 if carry.endswith(b"\r") else len(carry)] += 1
    return FileFacts(detected_type if detected_type is not None else detect_type(head), size,
                     h.hexdigest(), dict(sorted(counts.items())),
                     looks_text(head)), head
