"""The correlation id of the request being served, carried from the gateway through
gRPC metadata into event envelopes and Kafka headers."""

from __future__ import annotations

import random
import uuid
from contextvars import ContextVar

CORRELATION_HEADER = "x-correlation-id"
CALLER_TYPE_KEY = "x-g60-caller-type"
CALLER_ID_KEY = "x-g60-caller-id"

_correlation_id: ContextVar[str] = ContextVar("correlation_id", default="")


def current_correlation_id() -> str:
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> str:
    chosen = value or new_correlation_id()
    _correlation_id.set(chosen)
    return chosen


def new_correlation_id() -> str:
    """A UUID-4-shaped id for a request that arrived without one.

    It only has to be unique, not unguessable, so it comes from `random` (seeded from
    the OS, and reseeded in a forked child) rather than uuid4's getrandom(2) call: that
    was ~6 µs of every gRPC call the gateway did not tag, on the service's event loop.
    """
    return str(uuid.UUID(int=random.getrandbits(128), version=4))
