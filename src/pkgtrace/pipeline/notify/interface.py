"""Completion notifications: one event per finished analysis (completed or given up)."""

from __future__ import annotations

from typing import Protocol


class NotifyError(Exception):
    """The event could not be delivered."""


class Notifier(Protocol):
    def send(self, event: dict) -> None:
        """Deliver one event (a flat JSON object, see worker.py: `event`)."""

    def close(self) -> None:
        ...
