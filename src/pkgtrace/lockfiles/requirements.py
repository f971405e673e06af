"""requirements.txt as pip reads it: pinned lines (`name==1.0`, with `--hash`es), `-r` includes,
`-e`/VCS/URL/path requirements, environment markers; pip-compile's `# via` annotations tell direct
from transitive. Lines that pin no single version are reported with version None."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import (InvalidSdistFilename, InvalidWheelFilename, parse_sdist_filename,
                             parse_wheel_filename)

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles.common import dedupe, is_default_index, note, read_text
from pkgtrace.lockfiles.interface import LockfileError, normalize_name
from pkgtrace.model import Ecosystem

# pip's comment is `(^|\s+)#.*$`; as a pattern, a long run of spaces not followed by `#` made it
# retry the run from each of its characters (1 MiB of spaces: about an hour). Found by the `#`.
_COMMENT_START = re.compile(r"(?<!\S)#")
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_VCS = ("git+", "hg+", "svn+", "bzr+")
# Options pip accepts in a requirements file that do not name a dependency.
_FILE_OPTS_WITH_ARG = {"-i", "--index-url", "--extra-index-url", "-f", "--find-links",
                       "--trusted-host", "--no-binary", "--only-binary", "--use-feature",
                       "-C", "--config-settings", "--global-option"}
_FILE_OPTS_FLAG = {"--no-index", "--pre", "--prefer-binary", "--require-hashes"}
_LINE_OPTS = {"--hash", "--config-settings", "-C", "--global-option"}
_MAX_INCLUDE_DEPTH = 16


class RequirementsTxt:
    format = "requirements.txt"
    ecosystem = Ecosystem.PYPI

    def claims_name(self, filename: str) -> bool:
        n = filename.lower()
        return n.endswith((".txt", ".in")) and ("requirement" in n or "constraint" in n)

    def sniff(self, text: str) -> bool:
        lines = [ln.strip() for ln in text.split("\n")]
        lines = [ln for ln in lines if ln and not ln.startswith("#")]
        if not lines:
            return False
        pinned = [ln for ln in lines if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?\s*===?\s*\S", ln)
                  or ln.startswith(("--hash", "-r ", "-e ", "--requirement", "--index-url"))]
        return len(pinned) >= max(1, len(lines) // 2)

    def parse(self, path: Path, text: str) -> list[DependencyDoc]:
        deps: list[DependencyDoc] = []
        _parse_file(path, text, deps, seen={path.resolve()}, depth=0)
        return dedupe(deps)


def _logical_lines(text: str) -> list[tuple[int, str, list[str]]]:
    """(first line number, requirement line without comments, the comment lines that follow it)."""
    out: list[tuple[int, str, list[str]]] = []
    buf, start = "", 0
    for i, raw in enumerate(text.split("\n"), 1):
        stripped = raw.strip()
        if not buf and stripped.startswith("#"):
            if out:
                out[-1][2].append(stripped)
            continue
        line = _strip_comment(raw)
        if not buf:
            start = i
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            out.append((start, buf.strip(), []))
        buf = ""
    if buf.strip():
        out.append((start, buf.strip(), []))
    return out


def _strip_comment(raw: str) -> str:
    """RAW without its comment and the whitespace before it, as pip's `(^|\\s+)#.*$` removes them."""
    m = _COMMENT_START.search(raw)
    return raw if m is None else raw[:m.start()].rstrip()


def _via(comments: list[str]) -> list[str] | None:
    """pip-compile's annotation: `# via x` or `# via` followed by `#   x` lines."""
    sources: list[str] = []
    found = False
    for c in comments:
        body = c.lstrip("#").strip()
        if body.startswith("via"):
            found = True
            rest = body[3:].strip()
            if rest:
                sources.append(rest)
        elif found and body and c.startswith("#   "):
            sources.append(body)
        elif found:
            break
    return sources if found else None


def _is_direct_source(src: str) -> bool:
    # "-r requirements.in", "demo (pyproject.toml)", "-c constraints.txt" (a constraint is not a request)
    return src.startswith("-r ") or bool(re.search(r"\((pyproject\.toml|setup\.cfg|setup\.py)\)$", src))


def _index_of(path: Path, lines: list[tuple[int, str, list[str]]]) -> str | None:
    """The index that replaces PyPI for the whole file (pip reads -i/--index-url and --no-index
    wherever they stand), or None when packages come from PyPI. --extra-index-url adds an index
    and pip takes each package from whichever has the higher version, so those packages are still
    looked up on PyPI (that is where a dependency-confusion copy would come from)."""
    index = None
    for lineno, line, _ in lines:
        words = line.split()
        if not words:
            continue
        head = words[0]
        if head.startswith("--"):
            opt, _, val = head.partition("=")
        elif head.startswith("-i"):
            opt, val = "-i", head[2:]
        else:
            continue
        if not val and len(words) > 1:
            val = words[1]
        if opt in ("-i", "--index-url") and val and not is_default_index(val):
            index = re.sub(r"//[^/@\s]*@", "//", val)  # never repeat a token in a report
        elif opt == "--no-index":
            index = "--no-index"
        elif opt == "--extra-index-url" and val and not is_default_index(val):
            val = re.sub(r"//[^/@\s]*@", "//", val)
            note(path, f"--extra-index-url {val}: pip installs each package from whichever index "
                 "has the higher version, so these packages are looked up on PyPI too", lineno)
    return index


def _parse_file(path: Path, text: str, deps: list[DependencyDoc], *, seen: set[Path], depth: int) -> None:
    annotated = "# via" in text
    lines = _logical_lines(text)
    private = _index_of(path, lines)
    if private:
        note(path, f"packages come from {private}, not PyPI: listed as private, not looked up")
    for lineno, line, comments in lines:
        # As pip does: the requirement runs up to the first word that starts with '-'; only the
        # options are shell-split (a marker's quotes belong to the requirement).
        words = line.split()
        cut = next((i for i, w in enumerate(words) if w.startswith("-")), len(words))
        try:
            tokens = words[:cut] if cut else []
            opts = shlex.split(" ".join(words[cut:]), posix=True)
        except ValueError as e:
            raise LockfileError(path, f"cannot split line: {e}", line=lineno) from None
        if tokens:
            tokens = [" ".join(tokens)] + opts
        else:
            tokens = opts
        if not tokens:
            continue
        head = tokens[0]
        opt = None
        if head.startswith("--"):
            opt = head.split("=", 1)[0]
        elif head.startswith("-"):
            opt = head[:2]  # short options may carry their value: -rbase.txt
        if opt in ("-r", "--requirement"):
            _include(path, _option_value(tokens, path, lineno), lineno, deps, seen=seen, depth=depth)
            continue
        if opt in ("-c", "--constraint"):
            continue  # constraints restrict versions; they install nothing
        editable = opt in ("-e", "--editable")
        if editable:
            spec = _option_value(tokens, path, lineno)
            rest = tokens[1:] if head != opt else tokens[2:]
        elif opt is not None:
            if opt in _FILE_OPTS_WITH_ARG or opt in _FILE_OPTS_FLAG:
                continue
            raise LockfileError(path, f"unknown option {opt!r}", line=lineno)
        else:
            spec, rest = head, tokens[1:]
        hashes = _hashes(rest, path, lineno)
        direct: bool | None = None
        if annotated:
            via = _via(comments)
            direct = any(_is_direct_source(s) for s in via) if via is not None else None
        dep = _dependency(path, lineno, spec, hashes, direct, editable)
        if dep is None:
            continue
        if private and dep.source == "registry":
            dep = dep.model_copy(update={"source": "private", "locator": private})
        deps.append(dep)


def _option_value(tokens: list[str], path: Path, lineno: int) -> str:
    head = tokens[0]
    if head.startswith("--") and "=" in head:
        return head.split("=", 1)[1]
    if not head.startswith("--") and len(head) > 2:
        return head[2:]  # -rfile.txt
    if len(tokens) < 2:
        raise LockfileError(path, f"{head} needs an argument", line=lineno)
    return tokens[1]


def _include(path: Path, target: str, lineno: int, deps: list[DependencyDoc], *, seen: set[Path],
             depth: int) -> None:
    if _URL.match(target):
        raise LockfileError(path, f"-r {target}: remote requirement files are not read", line=lineno)
    inc = (path.parent / target)
    if depth >= _MAX_INCLUDE_DEPTH:
        raise LockfileError(path, f"-r {target}: includes nested too deeply", line=lineno)
    resolved = inc.resolve()
    if resolved in seen:
        return  # an include cycle, or the same file twice: read once
    seen.add(resolved)
    try:
        text = read_text(inc)
    except LockfileError as e:
        raise LockfileError(path, f"-r {target}: {e.message}", line=lineno) from None
    _parse_file(inc, text, deps, seen=seen, depth=depth + 1)


def _hashes(rest: list[str], path: Path, lineno: int) -> tuple[str, ...]:
    out: list[str] = []
    it = iter(rest)
    for t in it:
        opt, _, val = t.partition("=")
        if opt not in _LINE_OPTS:
            raise LockfileError(path, f"unexpected {t!r} after the requirement", line=lineno)
        if not val:
            val = next(it, "")
        if opt == "--hash":
            if not re.fullmatch(r"(sha256|sha384|sha512|md5|sha1|sha224):[0-9a-fA-F]+", val):
                raise LockfileError(path, f"malformed --hash {val!r} (want ALGORITHM:HEX)", line=lineno)
            out.append(val.lower())
    return tuple(out)


def _dependency(path: Path, lineno: int, spec: str, hashes: tuple[str, ...], direct: bool | None,
                editable: bool) -> DependencyDoc | None:
    """The line's dependency; None for a URL or path that names no package (noted, skipped:
    pip would build it to learn its name, which a lockfile reader cannot do)."""
    base = dict(ecosystem=Ecosystem.PYPI, file=str(path), line=lineno, direct=direct, hashes=hashes)
    if _looks_like_location(spec):
        found = _from_location(spec, path, lineno)
        if found is None:
            note(path, f"skipped {spec!r}: no package name in it (pip learns it by building it; "
                 "add #egg=NAME or write NAME @ URL to have it listed)", lineno)
            return None
        name, version, source, locator = found
        return DependencyDoc(name=name, version=version, source=source, locator=locator, **base)
    try:
        req = Requirement(spec)
    except InvalidRequirement as e:
        raise LockfileError(path, f"invalid requirement {spec!r}: {e}", line=lineno) from None
    name = normalize_name(Ecosystem.PYPI, req.name)
    markers = str(req.marker) if req.marker else None
    if req.url:
        _, version, source, locator = _from_location(req.url, path, lineno, name=name)  # type: ignore[misc]
        return DependencyDoc(name=name, version=version, source=source, locator=locator, markers=markers, **base)
    if editable:
        raise LockfileError(path, f"-e needs a path or VCS URL, not {spec!r}", line=lineno)
    return DependencyDoc(name=name, version=_pinned(req), source="registry", markers=markers, **base)


def _pinned(req: Requirement) -> str | None:
    specs = list(req.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def _looks_like_location(spec: str) -> bool:
    """A bare URL or path (pip's `./dist/x.whl`), as opposed to a PEP 508 `name @ url`."""
    if re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@", spec):
        return False
    return bool(_URL.match(spec)) or spec.startswith(_VCS) or spec.startswith((".", "/", "~")) \
        or spec.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2"))


def _from_location(loc: str, path: Path, lineno: int, name: str | None = None
                   ) -> tuple[str, str | None, str, str] | None:
    """(name, version, source kind, locator) of a VCS URL, archive URL or local path; None when
    nothing in it names the package."""
    parts = urlsplit(loc)
    egg = re.search(r"(?:^|&)egg=([^&]+)", parts.fragment)
    if name is None and egg:
        name = normalize_name(Ecosystem.PYPI, re.split(r"[\[=<>!~ ]", unquote(egg.group(1)))[0])
    version = None
    filename = unquote(parts.path.rsplit("/", 1)[-1])
    try:
        if filename.endswith(".whl"):
            n, v, _, _ = parse_wheel_filename(filename)
            name, version = name or str(n), str(v)
        elif filename.endswith((".tar.gz", ".zip")):
            n, v = parse_sdist_filename(filename)
            name, version = name or str(n), str(v)
    except (InvalidWheelFilename, InvalidSdistFilename):
        pass
    if loc.startswith("git+"):
        source = "git"
    elif parts.scheme in ("http", "https") or loc.startswith(_VCS):
        source = "url"
    else:
        source = "path"
    if name is None:
        return None
    return normalize_name(Ecosystem.PYPI, name), version, source, loc


PARSER = RequirementsTxt()
