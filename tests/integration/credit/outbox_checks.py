"""What the credit outbox committed, and what reached Kafka, for the crash tests."""

from __future__ import annotations

import time

import asyncpg
from aiokafka import AIOKafkaConsumer
from g60common.config import KafkaSettings
from g60common.events import decode_envelope
from g60common.kafka import TOPIC_CREDIT_EVENTS, consumer_settings
from g60common.outbox import store

from tests.integration.credit.helpers import CreditWorld

WAIT_FOR_EVENTS_S = 60.0


async def committed_versions(world: CreditWorld, aggregate_ids: set[str]) -> set[tuple[str, int]]:
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        rows = await conn.fetch(
            "SELECT aggregate_id, aggregate_version FROM outbox WHERE aggregate_id = ANY($1)",
            list(aggregate_ids),
        )
    finally:
        await conn.close()
    return {(r["aggregate_id"], r["aggregate_version"]) for r in rows}


async def events_on_kafka(
    world: CreditWorld, aggregate_ids: set[str], expected: int
) -> list[tuple[str, int, str]]:
    """(aggregate id, version, event id) of every event for these aggregates."""
    bootstrap = world.services["credit"].env["G60_KAFKA_BOOTSTRAP"]
    consumer = AIOKafkaConsumer(
        TOPIC_CREDIT_EVENTS, **consumer_settings(KafkaSettings(bootstrap, 30_000), group_id=None)
    )
    await consumer.start()
    seen: list[tuple[str, int, str]] = []
    deadline = time.monotonic() + WAIT_FOR_EVENTS_S
    try:
        while time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=500, max_records=2000)
            for record in (r for batch in batches.values() for r in batch):
                env = decode_envelope(record.value)
                if env.aggregate_id in aggregate_ids:
                    seen.append((env.aggregate_id, env.aggregate_version, env.event_id))
            if len(seen) >= expected and not batches:
                break
    finally:
        await consumer.stop()
    return seen


async def application_events(db: asyncpg.Pool, app_id: str) -> list[tuple[str, int]]:
    """(event type, version) of one application's committed events, in version order."""
    rows = await db.fetch(
        "SELECT event_type, aggregate_version FROM outbox WHERE aggregate_id = $1 "
        "AND aggregate_type = 'FinancingApplication' ORDER BY aggregate_version",
        app_id,
    )
    return [(r["event_type"], r["aggregate_version"]) for r in rows]


async def unpublished(conn: asyncpg.Connection, aggregate_ids: set[str]) -> int:
    return await store.pending_count(conn, list(aggregate_ids))


def assert_exactly_once(committed: set[tuple[str, int]], seen: list[tuple[str, int, str]]) -> None:
    assert len({event_id for *_, event_id in seen}) == len(seen), "an event was delivered twice"
    assert sorted((a, v) for a, v, _ in seen) == sorted(committed)
