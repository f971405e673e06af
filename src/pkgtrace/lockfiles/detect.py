"""Which parser reads a file: by its name first, then (for files named otherwise, or a name two
formats share, like yarn.lock) by its content."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pkgtrace.lockfiles import (cargo, composer, gemfile, npm_shrinkwrap, package_lock, pipenv, pnpm,
                                poetry, pylock, requirements, uv, yarn_berry, yarn_classic)
from pkgtrace.lockfiles.common import read_text
from pkgtrace.lockfiles.interface import Dependency, LockfileError, LockfileParser
from pkgtrace.model import Ecosystem

# Order matters for content sniffing: the most specific signatures first, requirements.txt last.
PARSERS: tuple[LockfileParser, ...] = (
    package_lock.PARSER, npm_shrinkwrap.PARSER, yarn_berry.PARSER, yarn_classic.PARSER, pnpm.PARSER,
    pipenv.PARSER, composer.PARSER, uv.PARSER, poetry.PARSER, pylock.PARSER, cargo.PARSER,
    gemfile.PARSER, requirements.PARSER,
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
               "bundler": gemfile.PARSER, "composer": composer.PARSER, "cargo": cargo.PARSER}
    if want in aliases:
        return aliases[want]
    raise ValueError(f"unknown lockfile type {fmt!r}; known: " + ", ".join(p.format for p in PARSERS))


def detect(path: Path, text: str) -> LockfileParser:
    by_name = [p for p in PARSERS if p.claims_name(path.name)]
    if len(by_name) == 1:
        return by_name[0]
    for p in by_name or PARSERS:
        if p.sniff(text):
            return p
    if by_name:  # e.g. a yarn.lock that is neither: let the first parser say what is wrong
        return by_name[0]
    raise LockfileError(path, "cannot tell which lockfile format this is; known: "
                        + ", ".join(p.format for p in PARSERS))


@dataclass(frozen=True)
class Lockfile:
    path: Path
    format: str
    ecosystem: Ecosystem
    dependencies: list[Dependency]


def read_lockfile(path: str | Path, fmt: str | None = None) -> Lockfile:
    """PATH's format and every dependency it pins, each once; LockfileError names the line or key
    at fault. FMT forces a format (see parser_named) instead of detecting it."""
    path = Path(path)
    text = read_text(path)
    parser = parser_named(fmt) if fmt else detect(path, text)
    try:
        found = parser.parse(path, text)
    except LockfileError:
        raise
    except RecursionError:
        raise LockfileError(path, "nested too deeply") from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        # A shape no check anticipated: still an input error, never a traceback.
        raise LockfileError(path, f"unexpected structure for {parser.format}: {type(e).__name__}: {e}") from None
    return Lockfile(path, parser.format, parser.ecosystem, found)


def parse_lockfile(path: str | Path, fmt: str | None = None) -> list[Dependency]:
    return read_lockfile(path, fmt).dependencies
