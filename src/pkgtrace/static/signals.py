"""Obfuscation and indicator signals, as OSSF's static analysis defines them, with its faults fixed.

OSSF (internal/staticanalysis/signals) looks at string literal values and declared identifiers:
base64 and hex substrings, IP addresses, URLs, highly escaped strings (with the Levenshtein
distance between raw and value), suspicious identifiers (hex-mangled `_0x1f2e`, numeric `a123`,
single letter) and length histograms. Fixed here:

- IPs: OSSF's unanchored IPv4 pattern reports version numbers ("1.2.3.4" in "v1.2.3.4.5",
  "requests>=2.28.1.0") and its IPv6 pattern reports "::" in "std::fmt". Matches must stand alone,
  and version contexts are dropped.
- Entropy: OSSF sums -p·log p over every character occurrence, so a string's "entropy" grows with
  its length. Here it is Shannon entropy per character of the string's own distribution, and
  "high entropy" is judged against what a random base64 string of the same length reaches.

Beyond OSSF: runs of character codes (chr(104)+chr(105), String.fromCharCode(…), [104,105].pack)
are decoded, and base64 that decodes to text is looked into once more for URLs and addresses.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

import Levenshtein

from pkgtrace.static.parsing import DECLARED, IdentifierKind, ParseResult, StringLiteral

# ---------------------------------------------------------------------------------------------
# Detectors on one string. Every pattern is linear: no nested quantifiers.

_B64 = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}|[A-Za-z0-9_-]{16,}={0,2}")
_UPPER = re.compile(r"[A-Z]")
_LOWER = re.compile(r"[a-z]")
_NON_HEX_LETTER = re.compile(r"[G-Zg-z]")


def find_base64(s: str) -> list[str]:
    """OSSF's rules: ≥16 base64 characters, an upper- and a lower-case letter, a letter outside
    a-f, and a length that is a multiple of 4 when padded."""
    out = []
    for m in _B64.finditer(s):
        c = m.group()
        if "=" in c and len(c) % 4:
            continue
        if _UPPER.search(c) and _LOWER.search(c) and _NON_HEX_LETTER.search(c):
            out.append(c)
    return out


_HEX = re.compile(r"[0-9a-fA-F]{8,}")


def find_hex(s: str) -> list[str]:
    return _HEX.findall(s)


_OCTET = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
_IPV4 = re.compile(rf"(?<![\w.]){_OCTET}(?:\.{_OCTET}){{3}}(?!\w|\.\d)")
_VERSION_CONTEXT = re.compile(r"(?:version|ver|release|rev|v|==|>=|<=|~=|!=|\^|~|@)\s*[:=]?\s*['\"]?$",
                              re.I)
_IPV6 = re.compile(r"(?<![\w:.])(?=[0-9A-Fa-f:.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{2,45}(?![\w:.])")


def _version_like(s: str, start: int, addr: str) -> bool:
    if _VERSION_CONTEXT.search(s[max(0, start - 12):start]):
        return True
    octets = [int(o) for o in addr.split(".")]
    # 1.2.3.4-style quads of one-digit parts are version numbers far more often than hosts;
    # repeated-octet resolvers (8.8.8.8, 1.1.1.1) stay addresses.
    return all(o <= 9 for o in octets) and len(set(octets)) > 1 and addr not in _KNOWN_SMALL_IPS


_KNOWN_SMALL_IPS = frozenset({"1.0.0.1", "8.8.4.4", "9.9.9.9", "0.0.0.0"})


def find_ips(s: str) -> list[str]:
    out: list[str] = []
    if s.count(".") >= 3:  # an IPv4 address has three dots; most strings with one do not
        for m in _IPV4.finditer(s):
            if not _version_like(s, m.start(), m.group()):
                out.append(m.group())
    if s.count(":") >= 2:
        for m in _IPV6.finditer(s):
            c = m.group()
            if c == "::" or c.count(":") < 2:
                continue
            try:
                ipaddress.IPv6Address(c)
            except ValueError:
                continue
            out.append(c)
    return out


_URL = re.compile(r"(?i)\b(?:https?|ftps?|wss?|file|s3|gs|blob|chrome|content)://"
                  r"[^\s\"'<>`\\{}|^]+")
# Labels of any letters, digits or symbols (OSSF: \p{L}\p{N}\p{S}, so "http://✪df.ws"), a
# letter-only top-level label.
_HOST = re.compile(r"^(?:[^\s!-,./:-@\[-^`{-~]+\.)+[^\W\d_]{2,}$")


def _trim_url(url: str) -> str:
    """Sentence punctuation after a URL is not part of it; a closing bracket is, when the URL
    opened it ("…/Apples_(film)"), as OSSF's URL tests expect."""
    while url:
        last = url[-1]
        if last in ".,;:!?*":
            url = url[:-1]
        elif last == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        elif last == "]" and url.count("]") > url.count("["):
            url = url[:-1]
        else:
            break
    return url


def find_urls(s: str) -> list[str]:
    if "://" not in s:
        return []
    out = []
    for m in _URL.finditer(s):
        url = _trim_url(m.group())
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            continue
        if _HOST.match(host) or host == "localhost":
            out.append(url)
            continue
        try:
            ipaddress.ip_address(host)
            out.append(url)
        except ValueError:
            continue
    return out


_ESCAPES = re.compile(r"\\(?:[0-7]{1,3}|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|u\{[0-9A-Fa-f]+\}|"
                      r"U[0-9A-Fa-f]{8})")


def escape_count(raw: str) -> int:
    return len(_ESCAPES.findall(raw)) if "\\" in raw else 0


def is_highly_escaped(lit: StringLiteral, count_threshold: int = 8,
                      frequency_threshold: float = 0.25) -> bool:
    n = escape_count(lit.raw)
    if n == 0:
        return False
    return n >= count_threshold or n / max(len(lit.value), 1) >= frequency_threshold


def levenshtein(raw: str, value: str) -> int:
    """OSSF's distance (golang-levenshtein's DefaultOptions): insertion and deletion cost 1,
    substitution 2. Quadratic in length: long literals are compared on their first 4 KiB."""
    return Levenshtein.distance(raw[:4096], value[:4096], weights=(1, 1, 2))


SUSPICIOUS_IDENTIFIER_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hex", re.compile(r"_0x[0-9a-fA-F]{3,}")),
    ("numeric", re.compile(r"^[A-Za-z_]\d{3,}")),
    ("single", re.compile(r"^[A-Za-z_]$")),
)


_HEX_ID = SUSPICIOUS_IDENTIFIER_RULES[0][1]
_ID_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


def suspicious_rule(name: str) -> str | None:
    """The first of SUSPICIOUS_IDENTIFIER_RULES that NAME matches; string tests first, because
    this runs once per declared identifier."""
    if "_0x" in name and _HEX_ID.search(name):
        return "hex"
    if name[:1] in _ID_START:
        if len(name) == 1:
            return "single"
        if name[1:4].isdecimal() and len(name) >= 4:  # \d{3,} after the first character
            return "numeric"
    return None


_CLOG2 = [0.0, 0.0] + [c * math.log2(c) for c in range(2, 4097)]  # c·log2(c), looked up


@lru_cache(maxsize=1 << 16)
def entropy(s: str) -> float:
    """Shannon entropy in bits per character of S's own character distribution."""
    n = len(s)
    if n <= 1:
        return 0.0
    # H = log2(n) - (1/n)·Σ c·log2(c): one pass over the counts, no per-character division.
    counts = Counter(s).values()
    if n <= 4096:
        return math.log2(n) - sum(map(_CLOG2.__getitem__, counts)) / n
    return math.log2(n) - sum(c * math.log2(c) for c in counts if c > 1) / n


_RANDOM_ALPHABET = 64  # base64's: what an encoded payload or a key is written in


@lru_cache(maxsize=4096)
def random_entropy(n: int, k: int = _RANDOM_ALPHABET) -> float:
    """The expected per-character entropy of N characters drawn uniformly from K symbols.

    Short random strings repeat few characters and long ones many, so the entropy a random
    string reaches depends on its length; this is the yardstick that takes that out.
    E[H] = log2 n - (k/n)·E[X log2 X] with X ~ Binomial(n, 1/k), summed over the pmf.
    """
    if n <= 1:
        return 0.0
    if n > 4096:  # the asymptote, within 0.001 bit past here
        return math.log2(k) - (k - 1) / (2 * n * math.log(2))
    lp, lq, lg = math.log(1 / k), math.log1p(-1 / k), math.lgamma(n + 1)
    acc = 0.0
    for x in range(2, n + 1):
        lpmf = lg - math.lgamma(x + 1) - math.lgamma(n - x + 1) + x * lp + (n - x) * lq
        if lpmf < -40 and x > n / k:
            break
        acc += math.exp(lpmf) * x * math.log2(x)
    return math.log2(n) - k * acc / n


def entropy_ratio(s: str) -> float:
    """S's entropy over that expected of a random base64 string of the same length: about 1 for
    random data at every length (OSSF's grows with length), well below 1 for prose and code."""
    n = len(s)
    if n <= 1:
        return 0.0
    return entropy(s) / random_entropy(n)


HIGH_ENTROPY_MIN_LEN = 32   # shorter strings of distinct characters look random by chance
HIGH_ENTROPY_RATIO = 0.95


# Characters between two char codes of one run: punctuation and the decoding call's name.
_CHARCODE_GAP = re.compile(r"[\s,()\[\]+.{};|]|String|fromCharCode|chr|Chr|char|ord")


def char_code_runs(pr: ParseResult, source: bytes, min_len: int = 6) -> list[tuple[int, str]]:
    """(line, decoded text) for every run of ≥MIN_LEN printable char codes written one after
    another: chr(104)+chr(105), String.fromCharCode(104, 105), [104, 105].pack('c*')."""
    runs: list[tuple[int, str]] = []
    cur: list = []

    def flush() -> None:
        if len(cur) >= min_len:
            runs.append((cur[0].line, "".join(chr(i.value) for i in cur)))
        cur.clear()

    for lit in pr.ints:
        printable = 32 <= lit.value <= 126 or lit.value in (9, 10, 13)
        if not printable or not lit.end:
            flush()
            continue
        if cur:
            gap = source[cur[-1].end:lit.start]
            if len(gap) > 24 or _CHARCODE_GAP.sub("", gap.decode("latin-1")):
                flush()
        cur.append(lit)
    flush()
    return runs


def decode_base64_text(candidate: str) -> str | None:
    """The text a base64 candidate decodes to, if it is mostly printable; else None."""
    s = candidate.rstrip("=")
    s = s + "=" * (-len(s) % 4)
    try:
        raw = base64.b64decode(s, altchars=b"-_" if ("-" in s or "_" in s) else None,
                               validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) < 8:
        return None
    # PowerShell's -EncodedCommand is UTF-16LE: every second byte NUL.
    utf16 = len(raw) >= 8 and raw[1::2].count(0) >= len(raw) // 2 * 0.9
    try:
        text = raw.decode("utf-16-le" if utf16 else "utf-8")
    except UnicodeDecodeError:
        return None
    if not text:
        return None
    printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text)
    return text if printable / len(text) >= 0.9 else None


# ---------------------------------------------------------------------------------------------
# One file's signals


@dataclass
class Signal:
    kind: str        # base64, hex, ip, url, escaped_string, suspicious_identifier,
                     # high_entropy_string, char_codes, decoded_base64
    line: int | None
    value: str
    extra: dict = field(default_factory=dict)


@dataclass
class FileSignals:
    identifier_lengths: dict[int, int] = field(default_factory=dict)
    string_lengths: dict[int, int] = field(default_factory=dict)
    base64_strings: list[str] = field(default_factory=list)
    hex_strings: list[str] = field(default_factory=list)
    ip_addresses: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    suspicious_identifiers: list[dict] = field(default_factory=list)   # {name, rule}
    escaped_strings: list[dict] = field(default_factory=list)          # {value, raw, levenshtein_dist}
    items: list[Signal] = field(default_factory=list)                  # every finding, with its line
    max_string_entropy: float = 0.0


MAX_ITEMS_PER_KIND = 500


class _Collector:
    def __init__(self) -> None:
        self.fs = FileSignals()
        self._seen: set[tuple[str, str]] = set()
        self._per_kind: Counter[str] = Counter()
        self.truncated = False

    def add(self, kind: str, line: int | None, value: str, ossf_list: list | None = None,
            ossf_item=None, distinct: str | None = None, **extra) -> bool:
        """Record a finding once per (kind, DISTINCT or VALUE): repeats of one literal are noise."""
        key = (kind, value if distinct is None else distinct)
        if key in self._seen:
            return False
        self._seen.add(key)
        if self._per_kind[kind] >= MAX_ITEMS_PER_KIND:
            self.truncated = True
            return False
        self._per_kind[kind] += 1
        if ossf_list is not None:
            ossf_list.append(value if ossf_item is None else ossf_item)
        self.fs.items.append(Signal(kind, line, value[:1000], extra))
        return True

    def scan_text(self, text: str, line: int | None, via: str | None = None,
                  ossf: bool = True) -> None:
        """URLs and addresses in TEXT (a literal's value, or decoded content)."""
        fs = self.fs
        extra = {"via": via} if via else {}
        for u in find_urls(text):
            self.add("url", line, u, fs.urls if ossf else None, **extra)
        for ip in find_ips(text):
            self.add("ip", line, ip, fs.ip_addresses if ossf else None, **extra)


_SCANNED_KINDS = DECLARED | {IdentifierKind.OTHER}  # OTHER: names the raw-text scan found


def file_signals(pr: ParseResult, source: bytes = b"", whole_text: str | None = None) -> FileSignals:
    """Signals of one file from its tokens; WHOLE_TEXT (an unparsed non-code file) is also
    searched for URLs and addresses outside quotes."""
    col = _Collector()
    fs = col.fs
    declared = [i for i in pr.identifiers if i.kind in _SCANNED_KINDS]
    fs.identifier_lengths = dict(sorted(Counter(len(i.name) for i in declared).items()))
    fs.string_lengths = dict(sorted(Counter(len(s.value) for s in pr.strings).items()))

    for ident in declared:
        rule = suspicious_rule(ident.name)
        if rule:
            col.add("suspicious_identifier", ident.line, ident.name, fs.suspicious_identifiers,
                    {"name": ident.name, "rule": rule}, rule=rule)

    max_h = 0.0
    for lit in pr.strings:
        v = lit.value
        if len(v) >= 16:
            for b in find_base64(v):
                if col.add("base64", lit.line, b, fs.base64_strings):
                    decoded = decode_base64_text(b)
                    if decoded:
                        col.add("decoded_base64", lit.line, decoded[:1000], source=b[:80])
                        col.scan_text(decoded, lit.line, via="base64", ossf=False)
        if len(v) >= 7:  # "8.8.8.8", the shortest address worth reporting, has seven
            for h in find_hex(v):
                col.add("hex", lit.line, h, fs.hex_strings)
            col.scan_text(v, lit.line)
        if is_highly_escaped(lit):
            # The same text escaped in different ways is different obfuscation: keyed by raw.
            dist = levenshtein(lit.raw, v)
            col.add("escaped_string", lit.line, v, fs.escaped_strings,
                    {"value": v, "raw": lit.raw, "levenshtein_dist": dist}, distinct=lit.raw,
                    raw=lit.raw[:1000], levenshtein_dist=dist)
        if len(v) >= HIGH_ENTROPY_MIN_LEN:
            r = entropy_ratio(v)
            if r >= HIGH_ENTROPY_RATIO:
                col.add("high_entropy_string", lit.line, v, entropy=round(entropy(v), 3),
                        entropy_ratio=round(r, 3), length=len(v))
            max_h = max(max_h, entropy(v))
    fs.max_string_entropy = round(max_h, 3)

    if source and len(pr.ints) >= 6:
        for line, text in char_code_runs(pr, source):
            col.add("char_codes", line, text)
            col.scan_text(text, line, via="char_codes", ossf=False)

    if whole_text:
        for n, line in enumerate(whole_text.splitlines(), 1):
            if "." in line or "::" in line:
                col.scan_text(line, n, via="text")
    if col.truncated:
        fs.items.append(Signal("truncated", None, f"more than {MAX_ITEMS_PER_KIND} of a kind"))
    return fs
