"""Which parser reads a file: the one its name claims when the content agrees; else the one the
content looks like (a Cargo.lock saved as poetry.lock is read as Cargo.lock, with a note); else,
for a known name, its parser, to say what is wrong. Unrecognised content is an error."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pkgtrace.api.verify import DependencyDoc
from pkgtrace.lockfiles import (bun, cargo, composer, conda_lock, deno, gemfile, npm_shrinkwrap,
                                package_lock, pdm, pipenv, pixi, pnpm, poetry, pylock, requirements, uv,
                                yarn_berry, yarn_classic)
from pkgtrace.lockfiles.common import collecting_notes, note, read_text, stop_collecting
from pkgtrace.lockfiles.interface import LockfileError, LockfileParser
from pkgtrace.model import Ecosystem

# Order matters for content sniffing: the most specific signatures first, requirements.txt last.
PARSERS: tuple[LockfileParser, ...] = (
    bun.PARSER, deno.PARSER, package_lock.PARSER, npm_shrinkwrap.PARSER, yarn_berry.PARSER,
    yarn_classic.PARSER, pnpm.PARSER, pipenv.PARSER, composer.PARSER, uv.PARSER, poetry.PARSER,
    pdm.PARSER, pylock.PARSER, cargo.PARSER, pixi.PARSER, conda_lock.PARSER, gemfile.PARSER,
    requirements.PARSER,
)


def parser_named(fmt: str) -> LockfileParser:
    """The parser for a format given by name (`--type`): its format or file name, case-insensitive."""
    want = fmt.strip().lower()
    for p in PARSERS:
        if want == p.format.lower():
            return p
    aliases = {"yarn-classic": yarn_classic.PARSER, "yarn-berry": yarn_berry.PARSER,
               "yarn1": yarn_classic.PARSER, "requirements": requirements.PARSER,
               "pipenv": pipenv.PARSER, "poetry": poetry.PARSER, "uv": uv.PARSER,
               "pylock": pylock.PARSER, "npm": package_lock.PARSER, "pnpm": pnpm.PARSER,
               "bundler": gemfile.PARSER, "composer": composer.PARSER, "cargo": cargo.PARSER,
               "bun": bun.PARSER, "deno": deno.PARSER, "pdm": pdm.PARSER, "pixi": pixi.PARSER,
               "conda-lock": conda_lock.PARSER}
    if want in aliases:
        return aliases[want]
    raise ValueError(f"unknown lockfile type {fmt!r}; known: " + ", ".join(p.format for p in PARSERS))


def detect(path: Path, text: str) -> LockfileParser:
    by_name = [p for p in PARSERS if p.claims_name(path.name)]
    for p in by_name:
        if p.sniff(text):
            return p
    for p in PARSERS:
        if p not in by_name and p.sniff(text):
            if by_name:
                note(path, f"named like a {by_name[0].format} but its content is {p.format}: read as {p.format}")
            return p
    if by_name:  # e.g. a yarn.lock that is neither: let the first parser say what is wrong
        return by_name[0]
    raise LockfileError(path, "cannot tell which lockfile format this is; known: "
                        + ", ".join(p.format for p in PARSERS))


def is_lockfile_name(filename: str) -> bool:
    """Whether some parser claims files of this name (for finding lockfiles in a folder)."""
    return filename == "bun.lockb" or any(p.claims_name(filename) for p in PARSERS)


@dataclass(frozen=True)
class Lockfile:
    path: Path
    format: str
    ecosystem: Ecosystem
    dependencies: list[DependencyDoc]
    notes: tuple[str, ...] = ()  # what was skipped or could not be told, for the reader


def read_lockfile(path: str | Path, fmt: str | None = None) -> Lockfile:
    """PATH's format and every dependency it pins, each once; LockfileError names the line or key
    at fault. FMT forces a format (see parser_named) instead of detecting it."""
    path = Path(path)
    _refuse_bun_binary(path)
    notes, token = collecting_notes()
    try:
        text = read_text(path)
        parser = parser_named(fmt) if fmt else detect(path, text)
        found = _parse(parser, path, text)
        if not found and not fmt and not parser.sniff(text):
            # Named like a lockfile, looks like none, and nothing in it read as a dependency.
            raise LockfileError(path, f"not a {parser.format}: nothing in it is recognisable as one")
    finally:
        stop_collecting(token)
    return Lockfile(path, parser.format, parser.ecosystem, found, tuple(notes))


def _refuse_bun_binary(path: Path) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(len(bun.LOCKB_MAGIC))
    except OSError:
        return  # read_text reports it
    if path.name == "bun.lockb" or head == bun.LOCKB_MAGIC:
        raise LockfileError(path, bun.LOCKB_MESSAGE)


def _parse(parser: LockfileParser, path: Path, text: str) -> list[DependencyDoc]:
    try:
        found = parser.parse(path, text)
    except LockfileError:
        raise
    except RecursionError:
        raise LockfileError(path, "nested too deeply") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        # A shape no check anticipated: still an input error, never a traceback.
        raise LockfileError(path, f"unexpected structure for {parser.format}: {type(e).__name__}: {e}") from None
    if not found:
        note(path, f"this {parser.format} pins no dependencies")
    return found


def parse_lockfile(path: str | Path, fmt: str | None = None) -> list[DependencyDoc]:
    return read_lockfile(path, fmt).dependencies
