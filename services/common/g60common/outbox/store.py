"""Outbox rows in PostgreSQL: appended inside the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import asyncpg
from g60.events.v1 import envelope_pb2

SCHEMA_SQL = Path(__file__).with_name("schema.sql")


@dataclass(frozen=True)
class PendingEvent:
    """One outbox row, ready for the producer: key and headers already bytes."""

    topic: str
    message_key: bytes
    envelope: bytes
    headers: list[tuple[str, bytes]]


async def append_event(
    conn: asyncpg.Connection, topic: str, envelope: envelope_pb2.EventEnvelope
) -> None:
    """Must run inside the transaction that made the state change."""
    await conn.execute(
        """INSERT INTO outbox (event_id, topic, message_key, aggregate_type, aggregate_id,
                               aggregate_version, event_type, envelope, correlation_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
        envelope.event_id,
        topic,
        envelope.aggregate_id,
        envelope.aggregate_type,
        envelope.aggregate_id,
        envelope.aggregate_version,
        envelope.event_type,
        envelope.SerializeToString(),
        envelope.correlation_id,
    )
    await conn.execute("NOTIFY outbox_pending")


async def _claim_batch(conn: asyncpg.Connection, relay_name: str, limit: int) -> int:
    """Stamp up to `limit` unassigned pending rows with a new batch number.

    Committing the stamp before producing lets a restarted relay tell, from the
    checkpoint Kafka committed with the batch, whether the batch reached Kafka.
    """
    async with conn.transaction():
        batch = await conn.fetchval(
            """INSERT INTO outbox_relay_state (relay_name, next_batch) VALUES ($1, 2)
               ON CONFLICT (relay_name) DO UPDATE SET next_batch = outbox_relay_state.next_batch + 1
               RETURNING next_batch - 1""",
            relay_name,
        )
        stamped = await conn.execute(
            """UPDATE outbox SET relay_batch = $1
               WHERE outbox_id IN (SELECT outbox_id FROM outbox
                                   WHERE published_at IS NULL AND relay_batch IS NULL
                                   ORDER BY outbox_id LIMIT $2)""",
            batch,
            limit,
        )
        if stamped == "UPDATE 0":
            raise _NothingPending
    return int(batch)


class _NothingPending(Exception):
    """Rolls back the batch-number increment when there is nothing to relay."""


async def try_claim_batch(conn: asyncpg.Connection, relay_name: str, limit: int) -> int | None:
    try:
        return await _claim_batch(conn, relay_name, limit)
    except _NothingPending:
        return None


async def load_batch(conn: asyncpg.Connection, batch: int) -> list[PendingEvent]:
    rows = await conn.fetch(
        """SELECT topic, message_key, envelope, event_id::text, correlation_id
           FROM outbox WHERE relay_batch = $1 AND published_at IS NULL ORDER BY outbox_id""",
        batch,
    )
    return [
        PendingEvent(
            topic,
            key.encode(),
            envelope,
            [("event_id", event_id.encode()), ("correlation_id", correlation_id.encode())],
        )
        for topic, key, envelope, event_id, correlation_id in rows
    ]


async def unfinished_batches(conn: asyncpg.Connection) -> list[int]:
    rows = await conn.fetch(
        """SELECT DISTINCT relay_batch FROM outbox
           WHERE published_at IS NULL AND relay_batch IS NOT NULL ORDER BY relay_batch"""
    )
    return [int(r["relay_batch"]) for r in rows]


async def mark_published(conn: asyncpg.Connection, batch: int) -> None:
    await conn.execute(
        "UPDATE outbox SET published_at = now() WHERE relay_batch = $1 AND published_at IS NULL",
        batch,
    )


async def pending_count(conn: asyncpg.Connection) -> int:
    return int(await conn.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"))
