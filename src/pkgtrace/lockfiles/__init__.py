"""Lockfile parsers: one module per format, `parse_lockfile` picks the right one."""

from pkgtrace.lockfiles.detect import PARSERS, Lockfile, detect, parse_lockfile, parser_named, read_lockfile
from pkgtrace.lockfiles.interface import LockfileError, LockfileParser, normalize_name

__all__ = ["PARSERS", "Lockfile", "LockfileError", "LockfileParser", "detect", "normalize_name", "parse_lockfile",
           "parser_named", "read_lockfile"]
