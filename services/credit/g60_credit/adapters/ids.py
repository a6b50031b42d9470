"""Ids are UUIDs; a string that is not one can never name a row."""

from __future__ import annotations

from g60common.ids import canonical_uuid


def uuid_or_none(value: str) -> str | None:
    return canonical_uuid(value)
