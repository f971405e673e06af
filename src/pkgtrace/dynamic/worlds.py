"""Worlds: the import and execute phases run again with the environment, the clock or the
platform the package is told changed, for payloads that fire only in CI, only after a date or
only on Windows.

A world is run only when the release's code gives a reason (it names CI variables, compares
against dates or sleeps; or it is obfuscated, so its reasons cannot be read), since each world
costs one more import and execute (bench/sandbox_overhead.py --worlds measures it). Its phases
run in the same sandbox after the base world's, with a shorter time budget; what it did is kept
apart in the report (`dynamic.worlds.NAME.phases`) with what differs from the base world.

The clock is moved for Python (guest/workers/pyworld.py: time, datetime, long sleeps shortened and
the clock advanced by what was skipped) and Node (guest/workers/nodeclock.js: Date, timers,
performance.now, process.hrtime); the CI world's variables reach every ecosystem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

DAY = 86400.0


@dataclass(frozen=True)
class World:
    name: str
    why: str
    reason: re.Pattern[str]                 # code text that makes the world worth running
    env: dict[str, str] = field(default_factory=dict)
    clock_shift_s: float = 0.0
    sleep_cap_s: float = 0.0
    ecosystems: tuple[str, ...] = ()         # empty: all
    windows: bool = False                    # the package's platform checks answered as Windows

    def guest_env(self) -> dict[str, str]:
        env = dict(self.env)
        if self.windows:
            env["PKGTRACE_WINDOWS"] = "1"  # a driver setting (harness.SETTINGS), not the package's
        if self.clock_shift_s or self.sleep_cap_s:
            env["PKGTRACE_CLOCK_SHIFT"] = str(self.clock_shift_s)
            env["PKGTRACE_SLEEP_CAP"] = str(self.sleep_cap_s)
        return env

    def describe(self) -> dict:
        return {"why": self.why, "env": sorted(self.env), **({"platform": "windows"} if self.windows else {}),
                **({"clock_shift_days": self.clock_shift_s / DAY, "longest_sleep_s": self.sleep_cap_s}
                   if self.clock_shift_s or self.sleep_cap_s else {})}


# Code that hides what it reads: then any world may be the one it waits for.
_OBFUSCATED = (r"\bexec\s*\(\s*(?:base64|zlib|marshal|bytes\.fromhex|codecs|__import__|compile|"
               r"\"\\x|b64decode|lzma|bz2)|\beval\s*\(\s*(?:atob|Buffer\.from|base64)|"
               r"\bnew\s+Function\s*\(|\bmarshal\.loads|_0x[0-9a-f]{4,}\[")

WORLDS: tuple[World, ...] = (
    World("ci", "the code names CI variables or hides what it reads",
          re.compile(r"\b(?:GITHUB_(?:ACTIONS|WORKFLOW|RUN_ID|REPOSITORY|TOKEN)|GITLAB_CI|CI_JOB_\w+|"
                     r"TRAVIS|CIRCLECI|JENKINS_URL|BUILDKITE|TF_BUILD|CODEBUILD_\w+|TEAMCITY_\w+|"
                     r"RUNNER_OS)\b|['\"]CI['\"]|\benv\.CI\b|" + _OBFUSCATED),
          env={"CI": "true", "GITHUB_ACTIONS": "true", "GITHUB_WORKFLOW": "release",
               "GITHUB_REPOSITORY": "acme-corp/payments-api", "GITHUB_RUN_ID": "9127735512",
               "GITHUB_REF": "refs/heads/main", "RUNNER_OS": "Linux", "GITLAB_CI": "true",
               "CI_JOB_ID": "6120338817", "BUILD_NUMBER": "412"}),
    World("later", "the code reads the date or sleeps, or hides what it reads",
          re.compile(r"\b(?:datetime|date\.today|time\.time|time\.sleep|sleep\s*\(\s*\d{3,}|"
                     r"Date\.now|new\s+Date\s*\(|setTimeout\s*\([^)]*\d{5,})|" + _OBFUSCATED),
          clock_shift_s=35 * DAY, sleep_cap_s=2.0, ecosystems=("pypi", "npm")),
    # An installed module that imports fine on Linux but keeps its payload behind
    # `sys.platform.startswith("win")`: import and execute again with the package's own platform
    # checks (and Windows-only ctypes) answered as on Windows (guest/workers/wingate.py). Only its
    # own code is told so; a Windows tool it then runs is what Windows code does, not a finding
    # in itself (rules/dynamic.yaml), what the tool is asked to do still is.
    World("windows", "the code reads the platform and runs commands, execs or reaches the network, "
          "or hides what it reads",
          re.compile(r"(?s)\A(?=.*?\b(?:os\.name|sys\.platform|platform\.system\(\)))"
                     r"(?=.*?\b(?:subprocess|exec|eval|urlopen|socket|requests|os\.system|Popen|"
                     r"__import__|b64decode|marshal|zlib)\b)|" + _OBFUSCATED),
          windows=True, ecosystems=("pypi",)),
)


def chosen(ecosystem: str, code: list[tuple[str, str]], everything: bool = False) -> list[tuple[World, str]]:
    """The worlds worth running for a release whose code files are CODE [(path, text)], each with
    the first file that gave the reason (EVERYTHING: each world of the ecosystem, for benches)."""
    out = []
    for w in WORLDS:
        if w.ecosystems and ecosystem not in w.ecosystems:
            continue
        for path, text in code:
            if everything or w.reason.search(text):
                out.append((w, path))
                break
    return out


def code_of(artifact: Path, ecosystem: str) -> list[tuple[str, str]]:
    from pkgtrace.verdict.evidence import read_code  # bounded, in-memory reading of the archive
    return [(c.path, c.text) for c in read_code(artifact, ecosystem, set())
            if c.language not in ("manifest",)]


def differences(base: dict, other: dict) -> dict:
    """What a world's phases did that the base world's same phases did not: commands, DNS names,
    connections, HTTP requests, files written and bait files read."""
    out = {}
    for phase, p in other.items():
        b = base.get(phase) or {}
        d = {}
        for key, items in (("commands", _commands), ("dns", _dns), ("connections", _connections),
                           ("http", _http), ("files_written", _written), ("files_read", _read)):
            extra = sorted(items(p) - items(b))
            if extra:
                d[key] = extra[:50]
        if d:
            out[phase] = d
    return out


def _commands(p: dict) -> set[str]:
    return {" ".join(map(str, c.get("argv") or []))[:300] for c in p.get("commands") or []}


def _dns(p: dict) -> set[str]:
    return {str(q.get("hostname")) for q in p.get("dns") or []}


def _connections(p: dict) -> set[str]:
    return {f"{c.get('address')}:{c.get('port')}" for c in p.get("connections") or []
            if c.get("family") in ("AF_INET", "AF_INET6")}


def _http(p: dict) -> set[str]:
    return {f"{(n.get('http') or {}).get('method')} {n.get('hostname') or n.get('dst')}"
            f"{(n.get('http') or {}).get('target')}" for n in p.get("network") or [] if n.get("http")}


# pyworld.py's lists of stood-in names (guest/fallback.py) are pkgtrace's, not the package's
_NOISE = re.compile(r"(?:__pycache__|\.pyc$|^/proc/|^/dev/|^/tmp/\.py-[^/]+/)")


def _written(p: dict) -> set[str]:
    return {f["path"] for f in p.get("files") or [] if f.get("write") and not _NOISE.search(f["path"])}


def _read(p: dict) -> set[str]:
    return {f["path"] for f in p.get("files") or [] if f.get("read")
            and not _NOISE.search(f["path"]) and ("/AppData/" in f["path"] or "/." in f["path"])}
