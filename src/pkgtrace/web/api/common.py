"""What every API router shares: the services, the documented error answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, Request

from pkgtrace.api.responses import Error
from pkgtrace.web.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


NOT_FOUND = {404: {"model": Error, "description": "Nothing known about it"}}
INVALID = {422: {"model": Error, "description": "Invalid input"}}
UNAVAILABLE = {503: {"model": Error, "description": "The results store or index is unreachable"}}
AUTH = {401: {"model": Error, "description": "No or an invalid API token"}}
READ = {**NOT_FOUND, **INVALID, **UNAVAILABLE}
BAD_BODY = {400: {"model": Error, "description": "The body cannot be parsed (not JSON, broken multipart)"}}


# Names and versions as registries allow them: no control characters; a version has no '/'.
# Declared in the OpenAPI document, so clients (and schemathesis) know what is accepted.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]+$"
VERSION_PATTERN = r"^[^\x00-\x1f\x7f/]+$"
NameParam = Annotated[str, Path(min_length=1, max_length=512, pattern=NAME_PATTERN,
                                description="package name; npm scopes as @scope/name")]
VersionParam = Annotated[str, Path(min_length=1, max_length=256, pattern=VERSION_PATTERN)]


def version_query(description: str):
    return Query(None, min_length=1, max_length=256, pattern=VERSION_PATTERN, description=description)
