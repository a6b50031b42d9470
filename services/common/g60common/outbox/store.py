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


# The row and the relay's wake-up in one statement. A module constant, so the credit
# benchmark's direct-SQL baseline sends it too (into a copy of the table).
APPEND_EVENT_SQL = """WITH appended AS (
       INSERT INTO outbox (event_id, topic, message_key, aggregate_type, aggregate_id,
                           aggregate_version, event_type, envelope, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING 1)
   SELECT pg_notify('outbox_pending', '') FROM appended"""


async def append_event(
    conn: asyncpg.Connection, topic: str, envelope: envelope_pb2.EventEnvelope
) -> None:
    """Must run inside the transaction that made the state change.

    The row and the relay's wake-up go in one statement: pg_notify is NOTIFY as a
    function, delivered at commit like it, and it saves a round trip on every write.
    """
    await conn.execute(
        APPEND_EVENT_SQL,
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


# A window is the rows whose writing transaction is visible in snapshot hi but not in
# lo; a batch is the next chunk of a window in outbox_id order. Visibility in a fixed
# snapshot never changes, so a batch can be found again from its record alone, and no
# outbox row is ever updated (each used to be written twice more: stamped, then marked).
# Per aggregate, commit order is version order (the aggregate's row lock), so the
# older version is always in the same window or an earlier one.
_EMPTY_SNAPSHOT = "1:1:"  # nothing is visible in it: the lower bound of the first window
_LAST_ID = 2**63 - 1

_WINDOW_ROWS = """
SELECT outbox_id, topic, message_key, envelope, event_id::text, correlation_id
FROM outbox
WHERE tx_id >= pg_snapshot_xmin($1::text::pg_snapshot)
  AND NOT pg_visible_in_snapshot(tx_id, $1::text::pg_snapshot)
  AND pg_visible_in_snapshot(tx_id, $2::text::pg_snapshot)
  AND outbox_id > $3 AND outbox_id <= $4
ORDER BY outbox_id
LIMIT $5"""
# A generic plan cannot know how selective `tx_id >= xmin` is and walks the primary
# key from the first row instead: 0.5 s per batch on a million-row outbox. Custom
# plans use the tx_id index (the relay plans about ten statements a second).
_CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"


@dataclass(frozen=True)
class ClaimedBatch:
    batch: int
    events: list[PendingEvent]


class LeadershipLost(Exception):
    """Another relay has taken over since this one became leader: stop relaying."""


async def take_leadership(conn: asyncpg.Connection, relay_name: str) -> int:
    """Raise the relay's epoch and return it. Called by a new leader, under the
    advisory lock, before it recovers; claims made under an older epoch then fail."""
    return int(
        await conn.fetchval(
            """INSERT INTO outbox_relay_state (relay_name, next_batch, leader_epoch)
               VALUES ($1, 1, 1)
               ON CONFLICT (relay_name)
               DO UPDATE SET leader_epoch = outbox_relay_state.leader_epoch + 1
               RETURNING leader_epoch""",
            relay_name,
        )
    )


async def _claim_batch(
    conn: asyncpg.Connection, relay_name: str, limit: int, epoch: int
) -> ClaimedBatch:
    """Record the next chunk of pending rows as a new batch number.

    Committing the record before producing lets a restarted relay tell, from the
    checkpoint Kafka committed with the batch, whether the batch reached Kafka. The
    epoch check and the number share one row lock with take_leadership: a claim either
    commits before the new leader's epoch (which then recovers it) or fails.
    """
    async with conn.transaction():
        batch = await conn.fetchval(
            """UPDATE outbox_relay_state SET next_batch = next_batch + 1
               WHERE relay_name = $1 AND leader_epoch = $2
               RETURNING next_batch - 1""",
            relay_name,
            epoch,
        )
        if batch is None:
            raise LeadershipLost(f"relay {relay_name}: epoch {epoch} is no longer current")
        await conn.execute(_CUSTOM_PLANS)
        last = await conn.fetchrow(
            """SELECT snapshot_lo::text AS lo, snapshot_hi::text AS hi, through_id, window_full
               FROM outbox_batches WHERE relay_name = $1 ORDER BY batch DESC LIMIT 1""",
            relay_name,
        )
        window, rows = None, []
        if last is not None and last["window_full"]:
            window = (last["lo"], last["hi"], int(last["through_id"]))
            rows = await conn.fetch(_WINDOW_ROWS, *window, _LAST_ID, limit)
        if not rows:
            hi = await conn.fetchval("SELECT pg_current_snapshot()::text")
            window = (_EMPTY_SNAPSHOT if last is None else last["hi"], hi, 0)
            rows = await conn.fetch(_WINDOW_ROWS, *window, _LAST_ID, limit)
        if not rows or window is None:
            raise _NothingPending
        await conn.execute(
            """INSERT INTO outbox_batches (relay_name, batch, snapshot_lo, snapshot_hi, after_id,
                   through_id, window_full)
               VALUES ($1, $2, $3::text::pg_snapshot, $4::text::pg_snapshot, $5, $6, $7)""",
            relay_name,
            batch,
            *window,
            rows[-1]["outbox_id"],
            len(rows) == limit,
        )
    return ClaimedBatch(int(batch), _pending(rows))


class _NothingPending(Exception):
    """Rolls back the batch-number increment when there is nothing to relay."""


async def try_claim_batch(
    conn: asyncpg.Connection, relay_name: str, limit: int, epoch: int
) -> ClaimedBatch | None:
    """The next batch, None when nothing is pending; LeadershipLost when `epoch` is
    not the current leader's."""
    try:
        return await _claim_batch(conn, relay_name, limit, epoch)
    except _NothingPending:
        return None


async def load_batch(conn: asyncpg.Connection, relay_name: str, batch: int) -> list[PendingEvent]:
    """The rows of a batch recorded earlier (after a restart)."""
    async with conn.transaction():
        record = await conn.fetchrow(
            """SELECT snapshot_lo::text, snapshot_hi::text, after_id, through_id
               FROM outbox_batches WHERE relay_name = $1 AND batch = $2""",
            relay_name,
            batch,
        )
        if record is None:
            return []
        await conn.execute(_CUSTOM_PLANS)
        return _pending(await conn.fetch(_WINDOW_ROWS, *record, None))


def _pending(rows: list[asyncpg.Record]) -> list[PendingEvent]:
    return [
        PendingEvent(
            r["topic"],
            r["message_key"].encode(),
            r["envelope"],
            [
                ("event_id", r["event_id"].encode()),
                ("correlation_id", r["correlation_id"].encode()),
            ],
        )
        for r in rows
    ]


async def unfinished_batches(conn: asyncpg.Connection, relay_name: str) -> list[int]:
    rows = await conn.fetch(
        """SELECT batch FROM outbox_batches WHERE relay_name = $1 AND NOT published
           ORDER BY batch""",
        relay_name,
    )
    return [int(r["batch"]) for r in rows]


async def mark_published(conn: asyncpg.Connection, relay_name: str, batch: int) -> None:
    """Batches are published in order, so the newest published one tells which rows
    are out; older records are dropped in the same statement."""
    await conn.execute(
        """WITH marked AS (
               UPDATE outbox_batches SET published = true WHERE relay_name = $1 AND batch = $2)
           DELETE FROM outbox_batches WHERE relay_name = $1 AND batch < $2 AND published""",
        relay_name,
        batch,
    )


@dataclass(frozen=True)
class Backlog:
    pending: int  # rows not yet published
    oldest_age_s: float  # age of the oldest of them; 0 when there is none


_NEWEST_PUBLISHED = """
SELECT snapshot_lo::text, snapshot_hi::text, through_id FROM outbox_batches
WHERE published ORDER BY batch DESC LIMIT 1"""
# Unpublished rows are those not visible in the newest published batch's lower
# snapshot, minus that window's published chunk. Every one of them either was not yet
# visible in its upper snapshot (tx_id >= its xmin) or lies beyond its last id: two
# index ranges of recent rows, so the count does not read the outbox's whole history.
_BACKLOG_SINCE = """
SELECT count(*), coalesce(extract(epoch FROM now() - min(o.created_at)), 0)::float8
FROM outbox o
WHERE (o.tx_id >= pg_snapshot_xmin($2::text::pg_snapshot) OR o.outbox_id > $3)
  AND NOT (coalesce(pg_visible_in_snapshot(o.tx_id, $1::text::pg_snapshot), false)
           OR (pg_visible_in_snapshot(o.tx_id, $2::text::pg_snapshot) AND o.outbox_id <= $3))
  AND ($4::text[] IS NULL OR o.aggregate_id = ANY($4::text[]))"""
_BACKLOG_ALL = """
SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
FROM outbox WHERE ($1::text[] IS NULL OR aggregate_id = ANY($1::text[]))"""


async def backlog(conn: asyncpg.Connection, aggregate_ids: list[str] | None = None) -> Backlog:
    """What the relay has still to publish (optionally of these aggregates). One relay
    publishes each outbox table."""
    if conn.is_in_transaction():  # the caller's (a test holding locks): SET LOCAL ends with it
        return await _count_backlog(conn, aggregate_ids)
    async with conn.transaction(readonly=True):
        return await _count_backlog(conn, aggregate_ids)


async def _count_backlog(conn: asyncpg.Connection, aggregate_ids: list[str] | None) -> Backlog:
    # The bounds are parameters: a generic plan, made without their values, reads the
    # whole outbox (measured) instead of the two index ranges.
    await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
    newest = await conn.fetchrow(_NEWEST_PUBLISHED)
    if newest is None:  # nothing published yet: every row is pending
        row = await conn.fetchrow(_BACKLOG_ALL, aggregate_ids)
    else:
        row = await conn.fetchrow(_BACKLOG_SINCE, *newest, aggregate_ids)
    assert row is not None
    return Backlog(int(row[0]), float(row[1]))


async def pending_count(conn: asyncpg.Connection, aggregate_ids: list[str] | None = None) -> int:
    """Rows not yet published (optionally of these aggregates)."""
    return (await backlog(conn, aggregate_ids)).pending
