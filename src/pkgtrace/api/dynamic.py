"""The report's `dynamic` section: what the package did when installed, imported and executed in
the sandbox.

Open models throughout: other parts of pkgtrace (the tracer, the worlds, the registry proxy) add
observations to these records in parallel with this schema, and a stored report must keep
loading when they do. The fields listed are the ones consumers rely on; each has a type.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from pkgtrace.api.base import Open
from pkgtrace.api.network import NetworkEvent


class SandboxLimits(Open):
    phase_seconds: float = Field(description="Wall-clock limit per phase.")
    memory_bytes: int = Field(description="Memory limit of the sandbox.")
    processes: int = Field(description="Process limit of the sandbox.")
    disk_bytes: int = Field(description="Writable disk limit of the sandbox.")


class SandboxInfo(Open):
    image: str = Field(description="Key of the sandbox image (its recipe's hash).")
    runsc: str | None = Field(None, description="gVisor runsc version.")
    startup_s: float | None = Field(None, description="Seconds to start the sandbox.")
    limits: SandboxLimits = Field(description="The limits the run had.")
    registry_hosts: list[str] = Field(default_factory=list,
                                      description="Registry hosts the package manager could reach.")


class FileAccess(Open):
    path: str = Field(description="Path in the guest.")
    read: bool = Field(description="Opened for reading.")
    write: bool = Field(description="Opened for writing or created.")
    delete: bool = Field(description="Deleted.")
    ops: list[str] = Field(default_factory=list, description="Syscall kinds seen on it.")


class Command(Open):
    pid: int | None = Field(None, description="Process id in the guest.")
    argv: list[str] = Field(description="The command line executed.")
    exe: str | None = Field(None, description="The executable, as execve was given it.")
    decoded: str | None = Field(None, description="An encoded PowerShell command, decoded.")


class FileEvent(Open):
    op: str = Field(description="mkdir, rename, chmod, symlink, link, unlink…")
    path: str | None = Field(None, description="The path it made, renamed to, or changed.")
    from_: str | None = Field(None, alias="from", description="rename: the path renamed.")
    mode: Any = Field(None, description="chmod: the mode argument as traced.")
    executable: bool = Field(False, description="chmod: the mode makes the file executable.")


class WrittenFile(Open):
    path: str = Field(description="A path written in the phase.")
    state: str = Field("", description="present, absent, or not_walked (the walk did not reach it) at the "
                                       "phase's end.")
    traced: bool = Field(False, description="The trace shows it written.")
    type: Any = Field(None, description="What the guest's walk found there (file, symlink…).")
    size: Any = Field(None, description="Its size, from the guest's walk.")
    sha256: Any = Field(None, description="SHA-256 of its content, from the guest's walk.")
    head_kind: str | None = Field(None, description="empty, text, script or binary, from its first bytes.")
    head_text: str | None = Field(None, description="Its first bytes, when text.")


class Send(Open):
    address: str | None = Field(None, description="Destination, when the syscall names one.")
    port: int | None = Field(None, description="Destination port.")
    data_text: str = Field("", description="The data sent, as text (at most 1024 characters).")


class FailedSyscall(Open):
    syscall: str = Field(description="The syscall that failed.")
    args: list[Any] = Field(default_factory=list, description="Its first arguments, as traced.")
    errno: int | None = Field(None, description="The error number.")
    error: str | None = Field(None, description="The error's name.")
    exe: str | None = Field(None, description="execve: the program tried.")
    argv: list[str] | None = Field(None, description="execve: the command line tried.")


class RunningProcess(Open):
    pid: int | None = Field(None, description="Process id in the guest.")
    ppid: int | None = Field(None, description="Parent process id.")
    name: str | None = Field(None, description="Its command, as `runsc ps` shows it.")


class Tamper(Open):
    why: str | None = Field(None, description="What made the trace line suspect.")
    syscall: str | None = Field(None, description="The syscall it claimed.")
    pid: int | None = Field(None, description="The process it claimed.")


class Folded(Open):
    count: int | None = Field(None, description="Entries past the report's list.")


class Connection(Open):
    address: str | None = Field(None, description="Address connected to.")
    port: int | None = Field(None, description="Port connected to.")
    hostnames: list[str] = Field(default_factory=list, description="Names the package resolved to it.")
    family: str | None = Field(None, description="Socket family: AF_INET, AF_INET6, AF_UNIX…")
    result: str | None = Field(None, description="ok, or why the connection failed.")


class Phase(Open):
    status: str = Field(description="completed, error_analysis, timeout, … as OSSF spells it.")
    reason: str = Field("", description="Why the phase ended as it did.")
    exit_code: int | None = Field(None, description="Exit code of the phase's command.")
    fallback: dict[str, Any] | None = Field(None, description="install: the fallback that ran after the "
                                                              "plain install failed (its kind and why).")
    duration_s: float | None = Field(None, description="Seconds the phase ran.")
    limit: str | None = Field(None, description="The limit that ended it: time, trace…; null if none did.")
    trace_budget: str | None = Field(None, description="trace limit: whose budget ran out, the phase's or the run's.")
    trace_bytes: int | None = Field(None, description="Bytes of trace the phase logged.")
    left_running: list[RunningProcess] = Field(default_factory=list,
                                               description="Processes still running when it ended.")
    files: list[FileAccess] = Field(default_factory=list, description="Files touched.")
    file_events: list[FileEvent] = Field(default_factory=list,
                                         description="mkdir/rename/chmod… events in order.")
    written_files: list[WrittenFile] = Field(default_factory=list,
                                             description="What the files it wrote held at its end.")
    folded: dict[str, Folded] = Field(default_factory=dict,
                                      description="Per list, entries past what the report lists.")
    commands: list[Command] = Field(default_factory=list, description="Commands executed.")
    connections: list[Connection] = Field(default_factory=list, description="Outgoing connections.")
    listens: list[dict[str, Any]] = Field(default_factory=list, description="Sockets bound or listened on.")
    sends: list[Send] = Field(default_factory=list, description="Data sent, base64 and text.")
    failed: list[FailedSyscall] = Field(default_factory=list, description="Failed syscalls of interest.")
    tamper: list[Tamper] = Field(default_factory=list, description="Attempts to tamper with the tracer.")
    tamper_count: int = Field(0, description="Number of tamper attempts.")
    dropped_events: int = Field(0, description="Events dropped because a cap was reached.")
    network: list[NetworkEvent] = Field(default_factory=list,
                                        description="Traffic the network simulator saw in this phase.")
    dns: list[NetworkEvent] = Field(default_factory=list, description="DNS queries in this phase.")


class Process(Open):
    pid: int = Field(description="Process id in the guest.")
    ppid: int | None = Field(None, description="Parent process id.")
    phase: str | None = Field(None, description="Phase it started in.")
    argv: list[str] | None = Field(None, description="Its command line.")
    exe: str | None = Field(None, description="Its executable.")
    exit_code: int | None = Field(None, description="Its exit code, if it exited.")


class World(Open):
    why: str = Field("", description="What in the code gave a reason to run this world.")
    phases: dict[str, Phase] = Field(default_factory=dict, description="Its import and execute phases.")
    differences: dict[str, dict[str, list[str]]] = Field(
        default_factory=dict, description="Per phase, what this world's run did that the base world's did not.")


class BaitValue(Open):
    what: str | None = Field(None, description="What the value is (an AWS key, a token…).")
    value: str | None = Field(None, description="The planted value (fake, single-use).")


class Bait(Open):
    files: list[str] = Field(default_factory=list, description="Where bait files were planted.")
    values: list[BaitValue] = Field(default_factory=list, description="The planted values.")


class TraceStats(Open):
    tamper: list[Tamper] = Field(default_factory=list, description="Suspect lines of no known phase.")
    forged: int = Field(0, description="Lines in the tracer's format not written by the sandbox.")


class DynamicSection(Open):
    sandbox: SandboxInfo = Field(description="The sandbox the package ran in.")
    bait: Bait = Field(default_factory=Bait, description="Bait credentials planted.")
    phases: dict[str, Phase] = Field(description="Per phase (install, import, execute): what happened.")
    processes: list[Process] = Field(default_factory=list, description="Every process the run started.")
    trace_stats: TraceStats = Field(default_factory=TraceStats, description="Counts from the tracer.")
    worlds: dict[str, World] | None = Field(None, description="Runs under other simulated worlds, if any.")
    registry_proxy: list[dict[str, Any]] | None = Field(None,
                                                        description="The registry proxy's decisions.")
