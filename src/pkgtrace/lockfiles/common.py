"""Helpers every parser shares: decoding with errors that name the line, line numbers for keys
(json, tomllib and PyYAML's loaders do not keep positions), typed field access, deduplication."""

from __future__ import annotations

import json
import re
import tomllib
from contextvars import ContextVar
from functools import partial
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.interface import LockfileError

try:  # the C loader is ~10x faster on large pnpm lockfiles
    _YamlLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YamlLoader = yaml.SafeLoader

MAX_BYTES = 256 << 20  # a lockfile larger than this is not a lockfile


def read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise LockfileError(path, "no such file") from None
    except OSError as e:
        raise LockfileError(path, f"cannot read: {e.strerror or e}") from None
    if not path.is_file():
        raise LockfileError(path, "not a regular file")
    if size > MAX_BYTES:
        raise LockfileError(path, f"{size} bytes is too large for a lockfile")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise LockfileError(path, f"cannot read: {e.strerror or e}") from None
    text = decode(path, data)
    if not text.strip():
        raise LockfileError(path, "empty file: a lockfile that pins nothing is not a lockfile")
    return text


def decode(path: Path, data: bytes) -> str:
    """UTF-8 (BOM or not), or UTF-16 with its BOM (what PowerShell's `pip freeze > f` writes)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise LockfileError(path, "not valid UTF-16 (it starts with a UTF-16 byte-order mark)") from None
    else:
        if b"\0" in data[:8192]:
            raise LockfileError(path, "binary content, not a lockfile")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[:e.start].count(b"\n") + 1
            raise LockfileError(path, "not valid UTF-8", line=line) from None
    return text.replace("\r\n", "\n")


# --- notes --------------------------------------------------------------------------------------
# What a parser skipped or could not tell, for the person reading the report; read_lockfile
# collects them per file (Lockfile.notes). Outside read_lockfile they are dropped.

_NOTES: ContextVar[list[str] | None] = ContextVar("lockfile_notes", default=None)


def note(path: Path | str, message: str, line: int | None = None) -> None:
    notes = _NOTES.get()
    if notes is not None:
        notes.append(f"{path}{f':{line}' if line else ''}: {message}")


def collecting_notes() -> tuple[list[str], Any]:
    """A fresh notes list and the token to pass to _NOTES.reset when done."""
    notes: list[str] = []
    return notes, _NOTES.set(notes)


def stop_collecting(token: Any) -> None:
    _NOTES.reset(token)


# --- decoding ---------------------------------------------------------------------------------

def load_json(path: Path, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise LockfileError(path, f"invalid JSON: {e.msg} (column {e.colno})", line=e.lineno) from None
    except RecursionError:
        raise LockfileError(path, "invalid JSON: nested too deeply") from None


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def load_toml(path: Path, text: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_AT.search(msg)
        line = int(m.group(1)) if m else None
        if line is None and msg.endswith("(at end of document)"):
            msg, line = msg[:-len("(at end of document)")].rstrip() + " at the end of the file", \
                text.rstrip("\n").count("\n") + 1
        raise LockfileError(path, f"invalid TOML: {_TOML_AT.sub('', msg)}", line=line) from None


# No lockfile writer uses YAML anchors, but a hostile file can: aliases that each repeat the one
# before expand a few hundred bytes into billions of nodes (a "billion laughs"). The composed
# graph is measured, shared nodes once per use, before anything walks it.
MAX_YAML_EXPANSION = 4  # expanded nodes per distinct node, beyond the allowance below
YAML_EXPANSION_ALLOWANCE = 10_000


def load_yaml(path: Path, text: str) -> tuple[Any, dict[tuple, int]]:
    """The document and the 1-based line of every mapping key, by path of keys."""
    docs = load_yaml_documents(path, text)
    if len(docs) > 1:
        raise LockfileError(path, f"{len(docs)} YAML documents where one is expected")
    return docs[0] if docs else (None, {})


def load_yaml_documents(path: Path, text: str) -> list[tuple[Any, dict[tuple, int]]]:
    """Every document of a YAML stream, each with the line of every mapping key, by path."""
    try:
        loader = _YamlLoader(text)
        out = []
        try:
            while loader.check_node():
                node = loader.get_node()
                _check_expansion(path, node)
                lines: dict[tuple, int] = {}
                _yaml_lines(node, (), lines)
                out.append((loader.construct_document(node), lines))
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        raise LockfileError(path, f"invalid YAML: {e.problem or e.context}", line=line) from None
    except yaml.YAMLError as e:
        raise LockfileError(path, f"invalid YAML: {e}") from None
    except RecursionError:
        raise LockfileError(path, "invalid YAML: nested too deeply") from None
    return out


def _check_expansion(path: Path, root: yaml.Node) -> None:
    """Refuse a node graph whose aliases expand it far beyond its own size, or refer to a node
    inside itself (`a: &a [*a]`, which never ends expanding). Linear time: each distinct node's
    expanded size is computed once."""
    size: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose subtree is being sized: the path from the root
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        kids: list = []
        if isinstance(node, yaml.MappingNode):
            kids = [n for kv in node.value for n in kv]
        elif isinstance(node, yaml.SequenceNode):
            kids = list(node.value)
        if done:
            open_.discard(id(node))
            size[id(node)] = 1 + sum(size[id(k)] for k in kids)
            continue
        if id(node) in size:
            continue
        open_.add(id(node))
        stack.append((node, True))
        for k in kids:
            if id(k) in open_:
                line = k.start_mark.line + 1 if k.start_mark else None
                raise LockfileError(path, "a YAML alias refers to a node that contains it: refused "
                                    "(it would expand without end)", line=line)
            if id(k) not in size:
                stack.append((k, False))
    limit = YAML_EXPANSION_ALLOWANCE + MAX_YAML_EXPANSION * len(size)
    if size[id(root)] > limit:
        raise LockfileError(path, f"YAML aliases expand {len(size)} nodes to {size[id(root)]}: "
                            "refused (no lockfile writer uses aliases; this is an alias bomb)")


def _yaml_lines(node: yaml.Node, path: tuple, out: dict[tuple, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            key = k.value if isinstance(k, yaml.ScalarNode) else None
            if key is None:
                continue
            out.setdefault(path + (key,), k.start_mark.line + 1)
            _yaml_lines(v, path + (key,), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.setdefault(path + (i,), v.start_mark.line + 1)
            _yaml_lines(v, path + (i,), out)


# --- positions ----------------------------------------------------------------------------------

# A string is written unrolled ("a*(?:\\.a*)*", not "(?:a|\\.)*"): re keeps a backtracking frame
# for each pass through a group, ~130 bytes per character, so a hostile 50 MB string took 7 GB.
_JSON_TOKEN = re.compile(r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+')


def json_lines(text: str) -> dict[tuple, int]:
    """1-based line of every object key and array element of a (valid) JSON text, by path."""
    out: dict[tuple, int] = {}
    # frames: [is_object, path, current key or index, expecting a key]
    stack: list[list] = []
    line = 1
    for m in _JSON_TOKEN.finditer(text):
        tok = m.group()
        c = tok[0]
        if c.isspace():
            line += tok.count("\n")
            continue
        top = stack[-1] if stack else None
        if c in "}]":
            stack.pop()
            continue
        if c == ":":
            continue
        if c == ",":
            if top is not None:
                if top[0]:
                    top[3] = True
                else:
                    top[2] += 1
            continue
        if top is not None and top[0] and top[3] and c == '"':
            top[2] = json.loads(tok)
            top[3] = False
            out.setdefault(top[1] + (top[2],), line)
            continue
        # a value starts here
        if top is None:
            path: tuple = ()
        else:
            path = top[1] + (top[2],)
            if not top[0]:
                out.setdefault(path, line)
        if c == "{":
            stack.append([True, path, None, True])
        elif c == "[":
            stack.append([False, path, 0, False])
    return out


def table_array_lines(text: str, name: str) -> list[int]:
    """For each top-level `[[name]]` table of a TOML text, in order, the line of its `name = …`
    key (what a person looks for), else of its header."""
    header = re.compile(r"^\s*\[\[\s*" + re.escape(name) + r"\s*\]\]\s*(#.*)?$")
    out: list[int] = []
    in_block = False
    for i, ln in enumerate(text.split("\n"), 1):
        if header.match(ln):
            out.append(i)
            in_block = True
        elif in_block and re.match(r"^\s*\[", ln):
            in_block = False  # a sub-table or the next table: no name key in this block's head
        elif in_block and re.match(r"^\s*name\s*=", ln):
            out[-1] = i
            in_block = False
    return out


# --- typed access -------------------------------------------------------------------------------

def fmt_key(*parts: Any) -> str:
    """A readable key path: packages["node_modules/ms"].version, package[3].name."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", str(p)):
            out += ("." if out else "") + str(p)
        else:
            out += "[" + json.dumps(str(p)) + "]"
    return out


def expect_type(path: Path, value: Any, kind: type | tuple[type, ...], key: str, line: int | None = None,
                what: str | None = None) -> Any:
    if not isinstance(value, kind):
        names = {dict: "a table/object", list: "a list", str: "a string", int: "a number",
                 bool: "a boolean"}
        want = what or (" or ".join(names.get(k, k.__name__) for k in kind) if isinstance(kind, tuple)
                        else names.get(kind, kind.__name__))
        got = "missing" if value is None else f"{type(value).__name__} {_short(value)}"
        raise LockfileError(path, f"expected {want}, found {got}", line=line, key=key)
    return value


def _short(value: Any) -> str:
    s = json.dumps(value, default=str)
    return s if len(s) <= 40 else s[:37] + "..."


def dedupe(deps: Iterable[DependencyDoc]) -> list[DependencyDoc]:
    """One entry per release (and source); direct/dev merged: direct if any occurrence is direct,
    a development dependency only if every occurrence is one. The first occurrence's position wins."""
    merged: dict[tuple, DependencyDoc] = {}
    for d in deps:
        k = (d.ecosystem, d.name, d.version, d.source, d.locator)
        prev = merged.get(k)
        if prev is None:
            merged[k] = d
            continue
        direct = True if (prev.direct or d.direct) else (
            False if (prev.direct is False or d.direct is False) else None)
        dev = False if (prev.dev is False or d.dev is False) else (
            True if (prev.dev or d.dev) else None)
        hashes = prev.hashes + tuple(h for h in d.hashes if h not in prev.hashes)
        markers = prev.markers if prev.markers == d.markers else None
        # model_copy does not validate: every value comes from the two validated occurrences.
        merged[k] = prev.model_copy(update=dict(direct=direct, dev=dev, hashes=hashes, markers=markers,
                                                alias=prev.alias or d.alias))
    return sorted(merged.values(), key=lambda d: (d.name.lower(), d.version or "", d.source))


def read_sibling(path: Path, name: str, loads: Callable[[str], Any] = json.loads) -> dict | None:
    """A manifest beside the lockfile (JSON, or what LOADS reads), for which dependencies are
    direct; unreadable means absent."""
    p = path.parent / name
    try:
        doc = loads(p.read_text(encoding="utf-8-sig")) if p.is_file() else None
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


read_sibling_toml = partial(read_sibling, loads=tomllib.loads)


_DEFAULT_INDEXES = {
    "pypi.org/simple", "pypi.org/pypi", "pypi.org", "pypi.python.org/simple", "files.pythonhosted.org",
    "registry.npmjs.org", "registry.yarnpkg.com", "registry.npmjs.com",
    "rubygems.org", "index.rubygems.org",
    "repo.packagist.org", "packagist.org",
    "github.com/rust-lang/crates.io-index", "index.crates.io",
}


def is_default_index(url: str | None) -> bool:
    """Whether URL is the ecosystem's public registry (so a dependency from it is looked up as such)."""
    if not url:
        return True
    u = re.sub(r"^(registry\+|sparse\+)?[a-z]+://", "", url.strip().lower()).rstrip("/")
    return u in _DEFAULT_INDEXES
