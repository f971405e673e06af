"""OSSF package-analysis dynamic result, field for field (pkg/api/analysisrun/result.go).

Anything that loads OSSF's documents loads these: keep names, casing and types exactly as theirs.
Stdout/Stderr are []byte in Go, which encoding/json writes as base64 strings.
"""

from __future__ import annotations

from enum import Enum

from pydantic import Field

from pkgtrace.api.base import Strict


class Status(str, Enum):
    COMPLETED = "completed"
    ERROR_TIMEOUT = "error_timeout"
    ERROR_ANALYSIS = "error_analysis"
    ERROR_OTHER = "error_other"


class FileResult(Strict):
    Path: str
    Read: bool = False
    Write: bool = False
    Delete: bool = False


class SocketResult(Strict):
    Address: str
    Port: int
    Hostnames: list[str] = Field(default_factory=list)


class CommandResult(Strict):
    Command: list[str]
    Environment: list[str] = Field(default_factory=list)


class DNSQueries(Strict):
    Hostname: str
    Types: list[str] = Field(default_factory=list)


class DNSResult(Strict):
    Class: str
    Queries: list[DNSQueries] = Field(default_factory=list)


class StraceSummary(Strict):
    Status: Status
    Stdout: str = ""  # base64 of the phase's last 4 KiB of stdout
    Stderr: str = ""
    Files: list[FileResult] = Field(default_factory=list)
    Sockets: list[SocketResult] = Field(default_factory=list)
    Commands: list[CommandResult] = Field(default_factory=list)
    DNS: list[DNSResult] = Field(default_factory=list)


class PackageRef(Strict):
    Ecosystem: str
    Name: str
    Version: str


class DynamicResult(Strict):
    Package: PackageRef
    CreatedTimestamp: int
    Analysis: dict[str, StraceSummary]
