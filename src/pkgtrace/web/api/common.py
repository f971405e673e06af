"""What every API router shares: the services, the documented error answers."""

from __future__ import annotations

from fastapi import Request

from pkgtrace.web.schemas import Error
from pkgtrace.web.services import Services


def services(request: Request) -> Services:
    return request.app.state.services


NOT_FOUND = {404: {"model": Error, "description": "Nothing known about it"}}
INVALID = {422: {"model": Error, "description": "Invalid input"}}
UNAVAILABLE = {503: {"model": Error, "description": "The results store or index is unreachable"}}
AUTH = {401: {"model": Error, "description": "No or an invalid API token"}}
READ = {**NOT_FOUND, **INVALID, **UNAVAILABLE}
