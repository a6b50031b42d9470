"""Ids are UUIDs; a string that is not one can never name a row."""

from __future__ import annotations

import uuid


def uuid_or_none(value: str) -> str | None:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
