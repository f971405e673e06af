"""The OSV report of a malicious package, as OpenSSF's malicious-packages database keeps it.

The shape is OSV's (https://ossf.github.io/osv-schema/); pkgtrace's own evidence goes under
database_specific.pkgtrace.
"""

from __future__ import annotations

from pydantic import Field

from pkgtrace.api.base import Strict
from pkgtrace.api.findings import RecordFinding

OSV_SCHEMA_VERSION = "1.6.0"


class OsvPackage(Strict):
    ecosystem: str = Field(description="OSV ecosystem name (PyPI, npm, RubyGems, Packagist, crates.io).")
    name: str = Field(description="Package name.")


class OsvAffected(Strict):
    package: OsvPackage = Field(description="The affected package.")
    versions: list[str] = Field(description="Its malicious versions.")


class OsvCredit(Strict):
    name: str = Field(description="Who found it.")
    type: str = Field(description="OSV credit type (FINDER).")


class OsvRelease(Strict):
    version: str = Field(description="A malicious version.")
    label: str = Field(description="Its label (malicious).")
    score: float = Field(description="Its verdict's score.")
    analyzed: str | int | float | None = Field(None, description="When it was analysed.")
    report: str | None = Field(None, description="Where its full report is.")
    findings: list[RecordFinding] = Field(default_factory=list, description="Its verdict's findings.")


class OsvPkgtrace(Strict):
    releases: list[OsvRelease] = Field(description="Per malicious version, pkgtrace's evidence.")


class OsvDatabaseSpecific(Strict):
    iocs: dict[str, list[str]] | None = Field(None, description="Domains, URLs and addresses from the "
                                                                "evidence (simulator addresses left out).")
    pkgtrace: OsvPkgtrace = Field(description="pkgtrace's evidence.")


class OsvReport(Strict):
    schema_version: str = Field(OSV_SCHEMA_VERSION, description="OSV schema version.")
    id: str | None = Field(None, description="MAL-0000-pkgtrace-<hash>; left out of a submission.")
    modified: str = Field(description="RFC 3339 time of the newest analysis.")
    published: str = Field(description="RFC 3339 time of the oldest analysis.")
    summary: str | None = Field(None, description="One line; left out of a submission.")
    details: str = Field(description="Why it is considered malicious, for a person (markdown).")
    affected: list[OsvAffected] = Field(description="The package and its malicious versions.")
    credits: list[OsvCredit] = Field(description="Who found it.")
    database_specific: OsvDatabaseSpecific = Field(description="pkgtrace's own data.")
