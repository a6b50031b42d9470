"""Building and reading the shared event envelope."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import TypeVar

from g60.events.v1 import envelope_pb2
from google.protobuf import any_pb2, timestamp_pb2
from google.protobuf.message import Message

M = TypeVar("M", bound=Message)


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
    ts = timestamp_pb2.Timestamp()
    ts.FromDatetime(occurred_at.astimezone(UTC))
    return envelope_pb2.EventEnvelope(
        event_id=str(uuid.uuid4()),
        event_type=payload.DESCRIPTOR.name,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=aggregate_version,
        occurred_at=ts,
        correlation_id=correlation_id,
        payload=packed,
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
