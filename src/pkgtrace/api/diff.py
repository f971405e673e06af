"""The behaviour diff of a release against its predecessor (report.json's `diff`, `pkgtrace diff`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from pkgtrace.api.base import Strict

DIFF_SCHEMA = "pkgtrace-diff/1"


class DiffItem(Strict):
    value: str = Field(description="The behaviour: a host, socket, command, file, hook or rule id.")
    phases: list[str] = Field(default_factory=list, description="Phases it was seen in.")
    detail: Any = Field(None, description="More about the item, where the dimension has more.")


class Dimensions(Strict):
    hosts: list[DiffItem] = Field(default_factory=list, description="Hosts contacted.")
    requests: list[DiffItem] = Field(default_factory=list,
                                     description="Requests made, with what became of each (answer, "
                                                 "proxy decision).")
    sockets: list[DiffItem] = Field(default_factory=list, description="Addresses and ports connected to.")
    commands: list[DiffItem] = Field(default_factory=list, description="Commands executed.")
    files: list[DiffItem] = Field(default_factory=list, description="Files written or deleted.")
    install_hooks: list[DiffItem] = Field(default_factory=list, description="Install hooks declared.")
    findings: list[DiffItem] = Field(default_factory=list, description="Rules that fired.")


class ChangedFile(Strict):
    path: str = Field(description="Path inside the archive.")
    old_sha256: str = Field(description="Content hash in the older release.")
    new_sha256: str = Field(description="Content hash in the newer release.")


class Contents(Strict):
    added: list[str] = Field(default_factory=list, description="Files only in the newer release.")
    removed: list[str] = Field(default_factory=list, description="Files only in the older release.")
    changed: list[ChangedFile] = Field(default_factory=list, description="Files whose content changed.")


class Sides(Strict):
    old: Any = Field(None, description="The older release's value.")
    new: Any = Field(None, description="The newer release's value.")


class DiffPackage(Strict):
    ecosystem: str = Field(description="Ecosystem id.")
    name: str = Field(description="Package name.")


class Diff(Strict):
    schema_version: Literal["pkgtrace-diff/1"] = Field(DIFF_SCHEMA, description="Version of this shape.")
    from_: str = Field(alias="from", description="The older version.")
    to: str = Field(description="The newer version.")
    label: Sides = Field(description="Labels of both releases.")
    score: Sides = Field(description="Scores of both releases.")
    changed: bool = Field(description="Anything at all changed, the label included.")
    added: Dimensions = Field(description="Behaviour only the newer release shows (capped at 1000 each).")
    removed: Dimensions = Field(description="Behaviour only the older release showed (capped at 1000 each).")
    install_hooks_changed: list[str] = Field(default_factory=list,
                                             description="Hooks in both whose body changed.")
    contents: Contents = Field(description="Archive contents compared by hash.")
    coverage: dict[str, Sides] = Field(description="Per analysis kind, whether each side had it: an "
                                                   "empty diff without coverage is not 'no change'.")
    summary: dict[str, dict[str, int]] = Field(description="Full counts per dimension, before caps.")
    truncated: bool = Field(description="A list was capped.")
    package: DiffPackage | None = Field(None, description="The package both releases belong to "
                                                          "(`pkgtrace diff` output; not in report.json).")

    def as_dict(self) -> dict:
        return self.model_dump(mode="json", by_alias=True)


class DiffError(Strict):
    error: str = Field(description="Why the diff against the predecessor could not be made.")
