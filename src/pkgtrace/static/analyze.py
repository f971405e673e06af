"""The static pass over one artifact: extract → per-file facts → parse → signals → documents.

Each file is read once and parsed once. Files too big to parse (minified bundles, generated data)
still get facts and signals from their raw text.
"""

from __future__ import annotations

import gc
import os
import shutil
import threading
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Callable

from pkgtrace.api.ossf_static import LANGUAGE_FIELDS, OSSF_LANGUAGE_FIELD, SCHEMA_VERSION
from pkgtrace.api.static import STATIC_SECTION_SCHEMA
from pkgtrace.model import Artifact, Ecosystem
from pkgtrace.static import hooks as hooks_mod
from pkgtrace.static.extract import ExtractResult, Limits, extract
from pkgtrace.static.facts import FileFacts, facts_for_path
from pkgtrace.static.magicworker import TypeStream
from pkgtrace.static.parsing import (DECLARED, IdentifierKind, ParseResult, detect_language,
                                     parse_raw, parser_for)
from pkgtrace.static.signals import FileSignals, entropy, file_signals, levenshtein

Progress = Callable[[str], None]

# Prose and markup: URLs in them are documentation, not behaviour.
_DOC_EXTS = frozenset({".md", ".rst", ".txt", ".html", ".htm", ".css", ".svg", ".xml", ".map",
                       ".ipynb", ".po", ".pot", ".tex", ".csv", ".tsv"})
_DOC_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "CHANGELOG", "CHANGES",
              "HISTORY", "README", "CONTRIBUTING", "PKG-INFO", "METADATA", "RECORD")


@dataclass(frozen=True)
class Options:
    limits: Limits = Limits()
    max_in_memory: int = 32 << 20     # a file's bytes held for analysis; larger: its head
    max_parse_bytes: int = 1 << 20    # larger code files get the raw-text scan instead
    doc_tokens_per_list: int = 1000   # OSSF document: tokens per list per file
    doc_token_budget: int = 100_000   # OSSF document: tokens in all files together
    doc_max_files: int = 20_000
    report_max_files: int = 2_000
    report_max_signals_per_kind: int = 300
    report_calls_per_file: int = 100


@dataclass
class FileAnalysis:
    path: str
    facts: FileFacts
    language: str | None = None
    parse: ParseResult | None = None
    signals: FileSignals | None = None
    minified: bool = False
    note: str | None = None
    seconds: float = 0.0


def analyze_file(path: str, disk: Path, opts: Options = Options(),
                 detected_type: str | None = None) -> FileAnalysis:
    t0 = time.perf_counter()
    facts, data = facts_for_path(disk, opts.max_in_memory, detected_type)
    fa = FileAnalysis(path, facts)
    if not facts.is_text:
        fa.seconds = time.perf_counter() - t0
        return fa
    fa.language = detect_language(path, data[:256])
    fa.minified = facts.size > 64 << 10 and facts.max_line_length > 2000 and \
        facts.size / max(facts.lines, 1) > 500
    if facts.size > len(data):
        fa.note = f"only the first {len(data)} bytes were scanned"
    whole_text = None
    if fa.language and len(data) <= opts.max_parse_bytes and facts.size == len(data):
        fa.parse = parser_for(fa.language).parse(data)
        if fa.parse.syntax_errors:
            _merge_raw(fa.parse, parse_raw(data, fa.language))
    else:
        if fa.language:
            fa.note = fa.note or f"over {opts.max_parse_bytes} bytes: scanned as raw text"
        fa.parse = parse_raw(data, fa.language or "text")
        p = PurePosixPath(path)
        if not fa.language and p.suffix.lower() not in _DOC_EXTS \
                and not p.name.upper().startswith(_DOC_NAMES):
            whole_text = data.decode("utf-8", "replace")
    fa.signals = file_signals(fa.parse, data, whole_text)
    fa.seconds = time.perf_counter() - t0
    return fa


def _merge_raw(pr: ParseResult, raw: ParseResult) -> None:
    """A file with syntax errors keeps its parsed tokens and gains quoted runs the grammar lost."""
    have = {(s.raw, s.line) for s in pr.strings}
    pr.strings.extend(s for s in raw.strings if (s.raw, s.line) not in have)
    names = {i.name for i in pr.identifiers}
    pr.identifiers.extend(i for i in raw.identifiers if i.name not in names)


# ---------------------------------------------------------------------------------------------


def analyze_artifact(artifact: Artifact, progress: Progress = lambda _m: None, *,
                     options: Options = Options(), scratch: Path | None = None
                     ) -> tuple[dict, dict]:
    """(OSSF static record, pkgtrace report `static` section) for ARTIFACT. Never raises for a
    hostile or broken archive: problems are in the section's `extraction`."""
    with _rarer_gc():
        return _analyze_artifact(artifact, progress, options, scratch)


_GC_GEN0 = 50_000
_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None


@contextmanager
def _rarer_gc():
    """The pass allocates hundreds of thousands of small token objects that live until its end
    and form no cycles; at Python's default thresholds the collector walks them over and over
    (a sixth of the pass on larger releases). Collections are made rarer while any pass runs,
    never turned off, and the thresholds are put back when the last one ends."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(max(_gc_saved[0], _GC_GEN0), *_gc_saved[1:])
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)


def _analyze_artifact(artifact: Artifact, progress: Progress, options: Options,
                      scratch: Path | None) -> tuple[dict, dict]:
    t_start = time.monotonic()
    base = scratch or scratch_base(options.limits)
    base.mkdir(parents=True, exist_ok=True)
    # The pid in the name lets `pkgtrace sandbox gc` tell a killed run's leftovers (in RAM,
    # when base is /dev/shm) from a live one's.
    work = Path(tempfile.mkdtemp(prefix=f"pkgtrace-static-{os.getpid()}-", dir=base))
    try:
        progress(f"extracting {artifact.path.name}")
        ex = extract(artifact.path, work / "root", limits=options.limits, progress=progress)
        t_extract = time.monotonic()
        entries = sorted(ex.files + ex.extra, key=lambda f: f.path)
        results: list[FileAnalysis] = []
        total = len(entries)
        big = total > 200 or ex.total_bytes > 20 << 20
        with TypeStream([f.disk for f in entries]) as types:  # libmagic, in a helper process
            for i, f in enumerate(entries, 1):
                if big and (i % 200 == 0 or i == total):
                    progress(f"analysing files {i}/{total}")
                try:
                    results.append(analyze_file(f.path, f.disk, options, types.next()))
                except (OSError, RecursionError, ValueError) as e:  # one bad file never stops the rest
                    ex.problems.append(_problem("analysis", f"{type(e).__name__}: {e}", f.path))
        t_files = time.monotonic()
        hook_list = hooks_mod.find_hooks(artifact.package.ecosystem,
                                         {f.path: f.disk for f in entries})
        doc, tokens = ossf_document(artifact, results, options)
        section = report_section(artifact, ex, results, hook_list, options)
        section["tokens"] = tokens
        section["timings"] = {"extract_s": round(t_extract - t_start, 3),
                              "files_s": round(t_files - t_extract, 3),
                              "total_s": round(time.monotonic() - t_start, 3)}
        return doc, section
    finally:
        shutil.rmtree(work, ignore_errors=True)


_SHM = Path("/dev/shm")


def scratch_base(limits: Limits) -> Path:
    """Where to extract: PKGTRACE_SCRATCH if set; else memory-backed /dev/shm when it has room
    for twice the largest extraction the limits allow (extracting a few hundred small files to
    disk costs more than parsing them); else the temporary folder."""
    env = os.environ.get("PKGTRACE_SCRATCH")
    if env:
        return Path(env)
    try:
        st = os.statvfs(_SHM)
        if os.access(_SHM, os.W_OK) and st.f_bavail * st.f_frsize >= 2 * limits.max_total_bytes:
            return _SHM
    except OSError:
        pass
    return Path(tempfile.gettempdir())


def remove_stale_scratch() -> list[str]:
    """Scratch folders of static runs whose process is gone (killed mid-extraction)."""
    removed = []
    for base in {_SHM, Path(tempfile.gettempdir()), *([Path(os.environ["PKGTRACE_SCRATCH"])]
                                                      if os.environ.get("PKGTRACE_SCRATCH") else [])}:
        for d in base.glob("pkgtrace-static-*-*") if base.is_dir() else []:
            pid = d.name.split("-")[2]
            if pid.isdigit() and not Path(f"/proc/{pid}").exists():
                shutil.rmtree(d, ignore_errors=True)
                removed.append(str(d))
    return removed


def _problem(kind: str, message: str, path: str | None):
    from pkgtrace.static.extract import Problem
    return Problem(kind, message, path)


# ---------------------------------------------------------------------------------------------
# The OSSF static record


_KIND_NAMES = {k: k.value for k in IdentifierKind}  # an enum's .value is a slow descriptor


def _language_data(pr: ParseResult, cap: int) -> tuple[dict, int, bool]:
    ids = [i for i in pr.identifiers if i.kind in DECLARED][:cap]
    strs = pr.strings[:cap]
    data = {
        "identifiers": [{"name": i.name, "type": _KIND_NAMES[i.kind],
                         "entropy": round(entropy(i.name), 4)} for i in ids],
        "string_literals": [{"value": s.value[:4096], "raw": s.raw[:4096],
                             "entropy": round(entropy(s.value), 4)} for s in strs],
        "int_literals": [{"value": i.value, "raw": i.raw} for i in pr.ints[:cap]],
        "float_literals": [{"value": f.value, "raw": f.raw} for f in pr.floats[:cap]
                           if f.value == f.value and abs(f.value) != float("inf")],
        "comments": [{"text": c.text[:4096]} for c in pr.comments[:cap]],
    }
    n = sum(len(v) for v in data.values())
    truncated = pr.truncated or any(len(x) > cap for x in (pr.strings, pr.ints, pr.floats,
                                                           pr.comments)) or \
        sum(i.kind in DECLARED for i in pr.identifiers) > cap
    return data, n, truncated


def _value_counts(counts: dict[int, int]) -> list[dict] | None:
    """OSSF's valuecounts JSON: [{"value": v, "count": c}, …] sorted by value; None when empty."""
    if not counts:
        return None
    return [{"value": v, "count": c} for v, c in sorted(counts.items())]


def _created_now() -> str:
    """Now in RFC 3339, UTC, as Go's time.Time marshals (the record's `created`)."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


def ossf_document(artifact: Artifact, results: list[FileAnalysis],
                  opts: Options = Options()) -> tuple[dict, list[dict]]:
    """OSSF's static record, strictly its schema (OSSF's loader refuses unknown fields), and
    pkgtrace's extras for the report (static.tokens: api.ossf_static.LanguageTokens, checked
    where the report is built): the token lists of the languages OSSF does not parse and which
    files' lists were cut. As OSSF, a JavaScript file that does not parse gets no `js`."""
    budget = opts.doc_token_budget
    files: list[dict] = []
    extras: list[dict] = []
    for fa in results[:opts.doc_max_files]:
        f = fa.facts
        entry: dict = {"filename": fa.path, "detected_type": f.detected_type or None,
                       "size": f.size or None, "sha256": f.sha256,
                       "line_lengths": _value_counts(f.line_lengths)}
        pr = fa.parse
        if pr is not None and pr.parsed and fa.language in LANGUAGE_FIELDS:
            key = LANGUAGE_FIELDS[fa.language]
            extra: dict = {}  # what the report keeps of this file beyond OSSF's `js`
            if key == OSSF_LANGUAGE_FIELD and pr.syntax_errors:
                extra["syntax_errors"] = True  # tokens of what parsed, kept out of OSSF's `js`
            if budget > 0:
                data, n, truncated = _language_data(pr, min(opts.doc_tokens_per_list, budget))
                budget -= n
                if key == OSSF_LANGUAGE_FIELD and not pr.syntax_errors:
                    entry[key] = data
                else:
                    extra["tokens"] = data
            else:
                truncated = True
            if truncated:
                extra["truncated"] = True
            if extra:
                extras.append({"filename": fa.path, "language": key, **extra})
        s = fa.signals
        if s is not None:
            entry.update({
                "identifier_lengths": _value_counts(s.identifier_lengths),
                "string_lengths": _value_counts(s.string_lengths),
                "base64_strings": s.base64_strings or None,
                "hex_strings": s.hex_strings or None,
                "ip_addresses": s.ip_addresses or None,
                "urls": s.urls or None,
                "suspicious_identifiers": s.suspicious_identifiers or None,
                "escaped_strings": [{"value": e["value"][:4096], "raw": e["raw"][:4096],
                                     "levenshtein_dist": e["levenshtein_dist"]}
                                    for e in s.escaped_strings] or None,
            })
        files.append({k: v for k, v in entry.items() if v is not None})
    pkg = artifact.package
    doc = {"schema_version": SCHEMA_VERSION, "ecosystem": pkg.ecosystem.value, "name": pkg.name,
           "version": pkg.version, "created": _created_now(), "results": {"files": files}}
    return doc, extras


# ---------------------------------------------------------------------------------------------
# The pkgtrace report section


def _archive_kind(artifact: Artifact, container: str) -> str:
    eco = artifact.package.ecosystem
    name = artifact.path.name.lower()
    if container == "gem":
        return "gem"
    if eco is Ecosystem.PYPI:
        return "wheel" if name.endswith(".whl") else f"sdist-{container}"
    return {Ecosystem.NPM: "npm-tgz", Ecosystem.RUBYGEMS: "gem", Ecosystem.PACKAGIST: "composer-zip",
            Ecosystem.CRATES: "crate"}.get(eco, container)


def report_section(artifact: Artifact, ex: ExtractResult, results: list[FileAnalysis],
                   hook_list: list, opts: Options = Options()) -> dict:
    truncated: dict[str, int] = {}
    languages: Counter[str] = Counter()
    signal_counts: Counter[str] = Counter()
    calls_total: Counter[str] = Counter()
    signals: list[dict] = []
    per_kind: Counter[str] = Counter()
    files: list[dict] = []
    parsed = syntax = 0
    for fa in results:
        if fa.language:
            languages[fa.language] += 1
        pr, s = fa.parse, fa.signals
        if pr is not None and pr.parsed:
            parsed += 1
            syntax += pr.syntax_errors
        calls = Counter(c.name for c in pr.calls) if pr is not None else Counter()
        calls_total.update(calls)
        if s is not None:
            for item in s.items:
                signal_counts[item.kind] += 1
                if per_kind[item.kind] >= opts.report_max_signals_per_kind:
                    truncated["signals"] = truncated.get("signals", 0) + 1
                    continue
                per_kind[item.kind] += 1
                signals.append({"kind": item.kind, "file": fa.path, "line": item.line,
                                "value": item.value[:400], **item.extra})
        if len(files) >= opts.report_max_files:
            truncated["files"] = truncated.get("files", 0) + 1
            continue
        f = fa.facts
        entry = {"path": fa.path, "type": f.detected_type, "size": f.size, "sha256": f.sha256,
                 "text": f.is_text, "lines": f.lines, "max_line_length": f.max_line_length,
                 "language": fa.language, "parsed": bool(pr and pr.parsed),
                 "minified": fa.minified}
        if pr is not None:
            entry.update({
                "syntax_errors": pr.syntax_errors,
                "tokens": {"identifiers": sum(i.kind in DECLARED for i in pr.identifiers),
                           "strings": len(pr.strings), "ints": len(pr.ints),
                           "floats": len(pr.floats), "comments": len(pr.comments),
                           "truncated": pr.truncated},
                "calls": [name for name, _ in calls.most_common(opts.report_calls_per_file)],
            })
        if s is not None:
            entry["max_string_entropy"] = s.max_string_entropy
        if fa.note:
            entry["note"] = fa.note
        files.append(entry)
    problems = [p.as_dict() for p in ex.problems]
    return {
        "schema_version": STATIC_SECTION_SCHEMA,
        "archive": {"kind": _archive_kind(artifact, ex.archive_kind), "container": ex.archive_kind,
                    "filename": artifact.path.name, "size": artifact.path.stat().st_size,
                    "sha256": artifact.sha256},
        "extraction": {
            "status": ex.status,
            "files": len(ex.files) + len(ex.extra),
            "total_bytes": ex.total_bytes,
            "errors": [p for p, q in zip(problems, ex.problems) if q.fatal][:200],
            "notes": [p for p, q in zip(problems, ex.problems) if not q.fatal][:200],
            "links": [{"path": ln.path, "target": ln.target, "kind": ln.kind}
                      for ln in ex.links[:200]],
            "limits": {"max_total_bytes": opts.limits.max_total_bytes,
                       "max_files": opts.limits.max_files, "max_ratio": opts.limits.max_ratio},
        },
        "summary": {
            "files": len(results), "parsed_files": parsed, "files_with_syntax_errors": syntax,
            "bytes": sum(fa.facts.size for fa in results),
            "languages": dict(languages.most_common()),
            "signals": dict(signal_counts.most_common()),
        },
        "install_hooks": [h.as_dict() for h in hook_list],
        "signals": signals,
        "calls": dict(calls_total.most_common(300)),
        "files": files,
        "truncated": truncated,
    }


__all__ = ["Options", "FileAnalysis", "analyze_artifact", "analyze_file", "ossf_document",
           "report_section", "levenshtein"]
