"""Building and reading the shared event envelope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

from g60.events.v1 import envelope_pb2
from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def new_envelope(
    payload: Message,
    *,
    aggregate_type: str,
    aggregate_id: str,
    aggregate_version: int,
    occurred_at: datetime,
    correlation_id: str,
) -> envelope_pb2.EventEnvelope:
    if aggregate_version < 1:
        raise ValueError("aggregate versions start at 1")
    packed = any_pb2.Any()
    packed.Pack(payload)
    return envelope_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()),
        event_type=payload.DESCRIPTOR.name,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        occurred_at=timestamp(occurred_at.astimezone(UTC)),
        correlation_id=correlation_id,
        payload=packed,
    )


def timestamp(at: datetime) -> timestamp_pb2.Timestamp:
    """Timestamp.FromDatetime's result (a naive datetime counts as UTC), by integer
    arithmetic: FromDatetime goes through a struct_time and calendar.timegm (1.6
    against 0.5 µs, for every event and every line or application in a reply)."""
    since = (at if at.tzinfo is not None else at.replace(tzinfo=UTC)) - _EPOCH
    return timestamp_pb2.Timestamp(
        seconds=since.days * 86_400 + since.seconds, nanos=since.microseconds * 1000
    )


def unpack_payload(envelope: envelope_pb2.EventEnvelope, message_type: type[M]) -> M:
    payload = message_type()
    if not envelope.payload.Unpack(payload):
        raise ValueError(f"event {envelope.event_id} does not carry {message_type.__name__}")
    return payload


def decode_envelope(raw: bytes) -> envelope_pb2.EventEnvelope:
    envelope = envelope_pb2.EventEnvelope()
    envelope.ParseFromString(raw)
    return envelope
