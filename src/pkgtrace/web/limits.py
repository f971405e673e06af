"""Request bodies bounded BEFORE the multipart parser spools them: a Content-Length over the limit
is refused at once, and a chunked body is cut off as soon as it passes the limit."""

from __future__ import annotations

from starlette.exceptions import HTTPException


class BodyTooLarge(HTTPException):
    """An HTTPException so that the framework's body parsing passes it through as a 413."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body too large: the limit is {limit} bytes")


class BodyLimit:
    """ASGI middleware: LIMITS maps (method, path prefix) to a maximum body size in bytes."""

    def __init__(self, app, limits: dict[tuple[str, str], int]):
        self.app, self.limits = app, limits

    def _limit(self, scope) -> int | None:
        for (method, prefix), n in self.limits.items():
            if scope.get("method") == method and scope.get("path", "").startswith(prefix):
                return n
        return None

    async def __call__(self, scope, receive, send):
        limit = self._limit(scope) if scope["type"] == "http" else None
        if limit is None:
            return await self.app(scope, receive, send)
        # Multipart framing adds a little around the file itself.
        allowed = limit + 64 * 1024
        for k, v in scope.get("headers", []):
            if k == b"content-length":
                try:
                    if int(v) > allowed:
                        return await _too_large(send, limit)
                except ValueError:
                    return await _reply(send, 400, "bad Content-Length")
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > allowed:
                    raise BodyTooLarge(limit)
            return msg

        async def tracking_send(msg):
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send, limit: int) -> None:
    await _reply(send, 413, f"request body too large: the limit is {limit} bytes")


async def _reply(send, status: int, detail: str) -> None:
    from pkgtrace.api.responses import Error
    body = Error(detail=detail).model_dump_json().encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
