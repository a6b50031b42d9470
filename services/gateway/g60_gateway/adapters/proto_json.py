"""Protobuf messages as JSON-ready dicts. int64 stays a JSON integer (the proto3 JSON
mapping would turn it into a string), and Timestamps become RFC 3339 strings."""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


def to_json(message: Message) -> dict[str, Any]:
    return {f.name: _field(message, f) for f in message.DESCRIPTOR.fields}


def _field(message: Message, field: Any) -> Any:
    value = getattr(message, field.name)
    if field.message_type is None:
        return value if isinstance(value, str | int | bool | float) else list(value)
    if field.is_repeated:
        return [_message(v) for v in value]
    if not message.HasField(field.name):
        return None
    return _message(value)


def _message(value: Message) -> Any:
    if isinstance(value, Timestamp):
        return value.ToJsonString()
    return to_json(value)
