"""SIGKILL the credit service right after a burst of commits: after a restart every
committed change is on Kafka exactly once."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from g60common.config import KafkaSettings
from g60common.events import decode_envelope
from g60common.kafka import TOPIC_CREDIT_EVENTS, consumer_settings

from tests.integration.credit.helpers import CreditWorld

pytestmark = pytest.mark.integration

BURST = 80
KILL_AFTER_REPLIES = 25
WAIT_FOR_EVENTS_S = 60.0


async def _committed_versions(world: CreditWorld, aggregate_ids: set[str]) -> set[tuple[str, int]]:
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        rows = await conn.fetch(
            "SELECT aggregate_id, aggregate_version FROM outbox WHERE aggregate_id = ANY($1)",
            list(aggregate_ids),
        )
    finally:
        await conn.close()
    return {(r["aggregate_id"], r["aggregate_version"]) for r in rows}


async def _events_on_kafka(
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


async def _unpublished(conn: asyncpg.Connection, aggregate_ids: set[str]) -> int:
    return int(
        await conn.fetchval(
            """SELECT count(*) FROM outbox
               WHERE aggregate_id = ANY($1) AND published_at IS NULL""",
            list(aggregate_ids),
        )
    )


@pytest.mark.parametrize("hold_relay", [True, False], ids=["relay-held", "relay-running"])
async def test_every_committed_change_reaches_kafka_once_after_sigkill(
    world: CreditWorld, hold_relay: bool
) -> None:
    """relay-held: a lock on the relay's batch counter stalls it, so the kill lands
    certainly between commit and publish. relay-running: the kill lands wherever the
    relay happens to be."""
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, 10_000_000)
    app = await world.approved_application(bank, ent, line.credit_line_id, 10_000_000)
    aggregates = {line.credit_line_id, app.application_id}
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        if hold_relay:
            await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        await _burst_then_kill(world, app.application_id, bank)
        if hold_relay:
            assert await _unpublished(blocker, aggregates) >= KILL_AFTER_REPLIES
            await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    credit = world.services["credit"]
    credit.start()
    await asyncio.to_thread(credit.wait_ready)

    committed = await _committed_versions(world, aggregates)
    assert len(committed) >= KILL_AFTER_REPLIES
    seen = await _events_on_kafka(world, aggregates, len(committed))
    assert len({event_id for *_, event_id in seen}) == len(seen), "an event was delivered twice"
    assert sorted((a, v) for a, v, _ in seen) == sorted(committed)


async def _burst_then_kill(world: CreditWorld, application_id: str, bank: str) -> None:
    tasks = [asyncio.create_task(world.draw(bank, application_id, 1_000)) for _ in range(BURST)]
    for replied, reply in enumerate(asyncio.as_completed(tasks), start=1):
        await asyncio.gather(reply, return_exceptions=True)
        if replied == KILL_AFTER_REPLIES:
            break
    world.services["credit"].kill()
    await asyncio.gather(*tasks, return_exceptions=True)
