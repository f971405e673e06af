"""Events POSTed as JSON to an HTTP(S) webhook. A 2xx answer is delivery; anything else is an error
(the worker retries a few times, then logs and moves on: notifications never block results).
An optional secret (PKGTRACE_WEBHOOK_SECRET) signs the body: X-Pkgtrace-Signature: sha256=HMAC."""

from __future__ import annotations

import hashlib
import hmac
import json
import os

import httpx

from pkgtrace.pipeline.notify.interface import NotifyError


class WebhookNotifier:
    def __init__(self, url: str):
        self.url = url
        self.secret = os.environ.get("PKGTRACE_WEBHOOK_SECRET", "").encode()
        self.client = httpx.Client(timeout=httpx.Timeout(10.0, connect=5.0))

    def send(self, event: dict) -> None:
        body = json.dumps(event, default=str).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "pkgtrace-notify/0.1"}
        if self.secret:
            headers["X-Pkgtrace-Signature"] = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        try:
            r = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as e:
            raise NotifyError(f"webhook {self.url}: {type(e).__name__}: {e}") from e
        if not 200 <= r.status_code < 300:
            raise NotifyError(f"webhook {self.url} answered HTTP {r.status_code}")

    def close(self) -> None:
        self.client.close()
