"""The correlation id of the request being served, carried from the gateway through
gRPC metadata into event envelopes and Kafka headers."""

from __future__ import annotations

import uuid
from contextvars import ContextVar

CORRELATION_HEADER = "x-correlation-id"
CALLER_TYPE_KEY = "x-g60-caller-type"
CALLER_ID_KEY = "x-g60-caller-id"

_correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")


def current_correlation_id() -> str:
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> str:
    chosen = value or str(uuid.uuid4())
    _correlation_id.set(chosen)
    return chosen
