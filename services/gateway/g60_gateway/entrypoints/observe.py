"""Correlation id and request metrics as raw ASGI middleware (Starlette's
BaseHTTPMiddleware costs a task and a stream per request)."""

from __future__ import annotations

import re
import time

from g60common.correlation import CORRELATION_HEADER, set_correlation_id
from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTTP_REQUESTS = Counter("g60_gateway_requests", "HTTP requests", ["method", "route", "status"])
HTTP_LATENCY = Histogram("g60_gateway_request_seconds", "HTTP request latency", ["method", "route"])
MAX_CORRELATION_ID_CHARS = 128
_HEADER = CORRELATION_HEADER.encode()
# gRPC metadata values must be printable ASCII, and the id travels to every service in
# metadata: any other byte would fail each gRPC call of the request. The bound keeps
# client-chosen ids from bloating logs and event headers.
_USABLE_ID = re.compile(rb"[\x20-\x7e]{1,%d}" % MAX_CORRELATION_ID_CHARS)


def client_correlation_id(offered: bytes) -> str | None:
    """The client's id when it is 1-128 printable ASCII characters; otherwise None, and
    the request gets a fresh id (the client finds it in the response header)."""
    return offered.decode("ascii") if _USABLE_ID.fullmatch(offered) else None


class ObserveMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(_HEADER, b"")
        correlation_id = set_correlation_id(client_correlation_id(offered))
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = time.perf_counter()
        status = [500]

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                headers = [h for h in message.get("headers", []) if h[0].lower() != _HEADER]
                message["headers"] = [*headers, (_HEADER, correlation_id.encode("latin-1"))]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            HTTP_REQUESTS.labels(scope["method"], route, str(status[0])).inc()
            HTTP_LATENCY.labels(scope["method"], route).observe(time.perf_counter() - started)
