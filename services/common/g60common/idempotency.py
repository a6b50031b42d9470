"""Request-id idempotency for mutating RPCs, stored in the same transaction as the
change it guards.

The first request with an id inserts a claim row; a concurrent duplicate blocks on
that row's unique index until the first commits, then reads the stored response.
The same id with a different request body is refused and writes nothing.

Records are kept for a retention (a month by default), then purged in the background
(g60common.idempotency_purge): retries are safe within the retention, and an id whose
record was purged is a new request.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import asyncpg

from g60common.db import delete_older_than

SCHEMA_SQL = Path(__file__).with_name("idempotency.sql")


class IdempotencyConflict(Exception):
    """The request id was used before with a different request."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"request_id {request_id!r} was already used for a different request")
        self.request_id = request_id


# Module constants, so the credit benchmark's direct-SQL baseline sends these statements.
CLAIM_SQL = """INSERT INTO idempotency_keys (caller, request_id, fingerprint)
   VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING true"""
RECORD_SQL = "UPDATE idempotency_keys SET response = $3 WHERE caller = $1 AND request_id = $2"


def request_fingerprint(method: str, request_bytes: bytes) -> bytes:
    return hashlib.sha256(method.encode() + b"\0" + request_bytes).digest()


async def claim(
    conn: asyncpg.Connection, caller: str, request_id: str, fingerprint: bytes
) -> bytes | None:
    """Claim the id inside the open transaction. Returns the stored response of an
    earlier identical request, or None when this request is the first.

    The purge may delete a record past its retention between our two statements. The id
    is then new, so it is claimed again; that happens at most once, since a record
    claimed since is too young to be purged."""
    for _ in range(2):
        inserted = await conn.fetchval(
            CLAIM_SQL,
            caller,
            request_id,
            fingerprint,
        )
        if inserted:
            return None
        row = await conn.fetchrow(
            """SELECT fingerprint, response FROM idempotency_keys
               WHERE caller = $1 AND request_id = $2""",
            caller,
            request_id,
        )
        if row is not None:
            if bytes(row["fingerprint"]) != fingerprint:
                raise IdempotencyConflict(request_id)
            return bytes(row["response"])
    raise AssertionError("a conflicting claim is committed before we can see it")


async def record_response(
    conn: asyncpg.Connection, caller: str, request_id: str, response: bytes
) -> None:
    await conn.execute(
        RECORD_SQL,
        caller,
        request_id,
        response,
    )


async def purge_older_than(pool: asyncpg.Pool, retention_s: float, batch_size: int) -> int:
    """Forget the records older than `retention_s`, `batch_size` rows per statement;
    returns how many. A retry after that is a new request (g60common.idempotency_purge)."""
    return await delete_older_than(pool, "idempotency_keys", "created_at", retention_s, batch_size)
