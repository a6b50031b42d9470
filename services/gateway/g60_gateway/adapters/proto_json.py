"""Protobuf messages as JSON-ready dicts. int64 stays a JSON integer (the proto3 JSON
mapping would turn it into a string), and Timestamps become RFC 3339 strings."""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import Any

from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp


class _Kind(Enum):
    SCALAR = 1
    REPEATED_SCALAR = 2
    MESSAGE = 3
    REPEATED_MESSAGE = 4


def to_json(message: Message) -> dict[str, Any]:
    json: dict[str, Any] = {}
    for name, kind in _plan(message.DESCRIPTOR):
        value = getattr(message, name)
        if kind is _Kind.SCALAR:
            json[name] = value
        elif kind is _Kind.REPEATED_SCALAR:
            json[name] = list(value)
        elif kind is _Kind.REPEATED_MESSAGE:
            json[name] = [_message(v) for v in value]
        else:
            json[name] = _message(value) if message.HasField(name) else None
    return json


@cache
def _plan(descriptor: Descriptor) -> tuple[tuple[str, _Kind], ...]:
    """Each field's name and kind, worked out once per message type rather than on
    every field of every reply."""
    return tuple((field.name, _kind(field)) for field in descriptor.fields)


def _kind(field: FieldDescriptor) -> _Kind:
    if field.message_type is None:
        return _Kind.REPEATED_SCALAR if field.is_repeated else _Kind.SCALAR
    return _Kind.REPEATED_MESSAGE if field.is_repeated else _Kind.MESSAGE


def _message(value: Message) -> Any:
    if isinstance(value, Timestamp):
        return value.ToJsonString()
    return to_json(value)
