"""Request body size limit as raw ASGI middleware, so it also covers chunked uploads
that declare no Content-Length: such bodies are read up to the limit before the
application sees them, and one byte more is a 413."""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from g60_gateway.entrypoints.problems import PROBLEM_JSON

_MAX_LENGTH_DIGITS = 19  # any body length this gateway could take fits in int64


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None:
            # bytes.isdigit() is ASCII only; the length bound keeps int() from parsing
            # thousands of digits (Python refuses over 4300: a 500, not a 413).
            too_long = len(declared) > _MAX_LENGTH_DIGITS
            if not declared.isdigit() or too_long or int(declared) > self.max_body_bytes:
                await self._too_large(scope, send)
                return
            await self.app(scope, receive, send)
            return
        if scope["method"] in ("GET", "HEAD", "DELETE", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        buffered = await self._read_bounded(receive)
        if buffered is None:
            await self._too_large(scope, send)
            return
        await self.app(scope, _replay(buffered, receive), send)

    async def _read_bounded(self, receive: Receive) -> bytes | None:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break  # client went away; let the app see an empty body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "https://g60.example/problems/413",
                "title": "Request body too large",
                "status": 413,
                "detail": f"at most {self.max_body_bytes} bytes",
                "instance": scope.get("path", ""),
                "errors": [{"field": "body", "detail": f"at most {self.max_body_bytes} bytes"}],
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()  # later messages: disconnect notifications

    return replay
