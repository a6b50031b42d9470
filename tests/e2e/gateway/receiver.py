"""A real webhook receiver on 127.0.0.1: verifies every signature, and on paths
ending in /flaky answers 500 to the first attempt of each event, on purpose."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from g60_gateway.domain.webhooks import verify


@dataclass(frozen=True)
class Received:
    path: str
    event_id: str
    event_type: str
    signature_ok: bool
    answered: int
    body: dict[str, Any]


@dataclass
class Receiver:
    port: int = 0
    secrets: dict[str, str] = field(default_factory=dict)  # path -> secret
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def handle(self, path: str, headers: Any, raw: bytes) -> int:
        with self.lock:
            secret = self.secrets.get(path, "")
            ok = bool(secret) and verify(
                secret,
                int(headers.get("x-g60-timestamp", "0")),
                raw,
                headers.get("x-g60-signature", ""),
            )
            event_id = headers.get("x-g60-event-id", "")
            seen = any(r.path == path and r.event_id == event_id for r in self.received)
            answer = 500 if path.endswith("/flaky") and not seen else (200 if ok else 401)
            self.received.append(
                Received(
                    path, event_id, headers.get("x-g60-event-type", ""), ok, answer, json.loads(raw)
                )
            )
            return answer

    def accepted(self, path: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == path and r.answered == 200]

    def all(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[Receiver]:
        receiver = cls()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                status = receiver.handle(self.path, self.headers, raw)
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        receiver.port = server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield receiver
        finally:
            server.shutdown()
            server.server_close()
