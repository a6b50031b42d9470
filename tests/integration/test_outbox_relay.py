"""The outbox relay publishes every committed event exactly once, across restarts
and across crashes on either side of the Kafka commit."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from g60.events.v1 import credit_events_pb2, envelope_pb2
from g60common.config import KafkaSettings, PostgresSettings
from g60common.db import apply_schema, create_pool, dsn_for_database, ensure_database
from g60common.events import decode_envelope, new_envelope
from g60common.kafka import TopicSpec, consumer_settings, ensure_topics, producer_settings
from g60common.outbox import store
from g60common.outbox.relay import OutboxRelay, RelaySettings
from g60common.outbox.store import SCHEMA_SQL
from g60common.stack import StackEndpoints
from g60common.uow import PgUnitOfWork
from prometheus_client import REGISTRY

pytestmark = pytest.mark.integration


@pytest.fixture
async def relay_env(
    stack: StackEndpoints,
) -> AsyncIterator[tuple[asyncpg.Pool, KafkaSettings, str]]:
    name = f"relaytest_{uuid.uuid4().hex[:8]}"
    await ensure_database(stack.pg_dsn, name)
    dsn = dsn_for_database(stack.pg_dsn, name)
    pool = await create_pool(PostgresSettings(dsn, 1, 5, 10.0))
    await apply_schema(pool, SCHEMA_SQL)
    kafka = KafkaSettings(stack.kafka_bootstrap, 30_000)
    await ensure_topics(kafka, (TopicSpec(name),))
    try:
        yield pool, kafka, name
    finally:
        await pool.close()


async def _commit_events(pool: asyncpg.Pool, topic: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        envelope = new_envelope(
            credit_events_pb2.CreditLineRegistered(credit_line_id=f"line-{n}", limit_fen=n + 1),
            aggregate_type="CreditLine",
            aggregate_id=str(uuid.uuid4()),
            aggregate_version=1,
            occurred_at=datetime.now(UTC),
            correlation_id="test",
        )
        async with PgUnitOfWork(pool) as uow:
            await uow.append_event(topic, envelope)
            await uow.commit()
        ids.append(envelope.event_id)
    return ids


async def _committed_event_ids(kafka: KafkaSettings, topic: str, expected: int) -> Counter[str]:
    consumer = AIOKafkaConsumer(topic, **consumer_settings(kafka, group_id=None))
    await consumer.start()
    seen: Counter[str] = Counter()
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while sum(seen.values()) < expected and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                seen.update(decode_envelope(r.value).event_id for r in records)
        # Anything beyond `expected` would be a duplicate: read a little longer.
        for records in (await consumer.getmany(timeout_ms=1000)).values():
            seen.update(decode_envelope(r.value).event_id for r in records)
    finally:
        await consumer.stop()
    return seen


async def _run_relay_until_drained(pool: asyncpg.Pool, kafka: KafkaSettings, name: str) -> None:
    stop = asyncio.Event()
    relay = OutboxRelay(pool, kafka, RelaySettings(relay_name=name, batch_size=50))
    task = asyncio.create_task(relay.run(stop))
    try:
        for _ in range(200):
            async with pool.acquire() as conn:
                if await store.pending_count(conn) == 0:
                    return
            await asyncio.sleep(0.1)
        raise AssertionError("relay did not drain the outbox")
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)


async def test_every_event_is_published_once_across_restarts(relay_env) -> None:  # type: ignore[no-untyped-def]
    pool, kafka, topic = relay_env
    first = await _commit_events(pool, topic, 120)
    await _run_relay_until_drained(pool, kafka, topic)
    second = await _commit_events(pool, topic, 30)
    await _run_relay_until_drained(pool, kafka, topic)  # a restarted relay
    seen = await _committed_event_ids(kafka, topic, 150)
    assert set(seen) == set(first + second)
    assert max(seen.values()) == 1


async def test_crash_after_kafka_commit_before_marking(relay_env) -> None:  # type: ignore[no-untyped-def]
    """Kafka has the batch but PostgreSQL does not know: recovery must not resend it."""
    pool, kafka, topic = relay_env
    ids = await _commit_events(pool, topic, 40)
    relay = OutboxRelay(pool, kafka, RelaySettings(relay_name=topic, batch_size=100))
    producer = AIOKafkaProducer(**producer_settings(kafka, transactional_id=f"g60-outbox-{topic}"))
    await producer.start()
    async with pool.acquire() as conn:
        epoch = await store.take_leadership(conn, topic)
        claimed = await store.try_claim_batch(conn, topic, 100, epoch)
        assert claimed is not None
        original_mark = store.mark_published
        store.mark_published = _crash  # type: ignore[assignment]
        try:
            with pytest.raises(_Crash):
                await relay._publish(producer, conn, claimed.batch, claimed.events)
        finally:
            store.mark_published = original_mark
    await producer.stop()
    await _run_relay_until_drained(pool, kafka, topic)
    seen = await _committed_event_ids(kafka, topic, 40)
    assert set(seen) == set(ids) and max(seen.values()) == 1


async def test_crash_inside_open_kafka_transaction(relay_env) -> None:  # type: ignore[no-untyped-def]
    """A claimed batch whose Kafka transaction never committed is sent again, and the
    half-sent records stay invisible to read_committed consumers."""
    pool, kafka, topic = relay_env
    ids = await _commit_events(pool, topic, 25)
    producer = AIOKafkaProducer(**producer_settings(kafka, transactional_id=f"g60-outbox-{topic}"))
    await producer.start()
    async with pool.acquire() as conn:
        epoch = await store.take_leadership(conn, topic)
        claimed = await store.try_claim_batch(conn, topic, 100, epoch)
        assert claimed is not None
        assert await store.load_batch(conn, topic, claimed.batch) == claimed.events
        events = claimed.events
    await producer.begin_transaction()
    for event in events[:10]:
        await producer.send_and_wait(event.topic, event.envelope, key=event.message_key)
    # The process "dies" here: the transaction is neither committed nor aborted.
    await _run_relay_until_drained(pool, kafka, topic)
    seen = await _committed_event_ids(kafka, topic, 25)
    assert set(seen) == set(ids) and max(seen.values()) == 1
    await producer.stop()


class _Crash(Exception):
    pass


async def _crash(conn: asyncpg.Connection, relay_name: str, batch: int) -> None:
    raise _Crash


async def test_a_late_committing_transaction_is_published_in_a_later_window(relay_env) -> None:  # type: ignore[no-untyped-def]
    """A transaction that commits after a batch was cut (it was in flight, or wrote a
    lower outbox_id) is not lost and not published twice; one aggregate's versions,
    committed one after another across batches, reach Kafka in version order."""
    pool, kafka, topic = relay_env
    slow = await pool.acquire()
    tx = slow.transaction()
    await tx.start()
    in_flight = _envelope("slow-aggregate", 1)
    await store.append_event(slow, topic, in_flight)  # lower outbox_id, commits last
    aggregate = str(uuid.uuid4())
    first = [await _commit_one(pool, topic, _envelope(aggregate, v)) for v in (1, 2)]
    stop = asyncio.Event()
    relay = OutboxRelay(pool, kafka, RelaySettings(relay_name=topic, batch_size=50))
    task = asyncio.create_task(relay.run(stop))
    try:
        await _until_pending(pool, 0)  # the open transaction's row is not visible yet
        later = [await _commit_one(pool, topic, _envelope(aggregate, 3))]
        await tx.commit()
        later.append(await _commit_one(pool, topic, _envelope(aggregate, 4)))
        await _until_pending(pool, 0)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
        await pool.release(slow)
    seen = await _committed_event_ids(kafka, topic, 5)
    assert set(seen) == {*first, *later, in_flight.event_id} and max(seen.values()) == 1
    assert await _versions_in_kafka_order(kafka, topic, aggregate) == [1, 2, 3, 4]


async def test_an_idle_relay_is_woken_by_the_commit_not_the_poll(relay_env) -> None:  # type: ignore[no-untyped-def]
    """The relay listens for NOTIFYs only while idle; each time it goes idle again after
    a busy spell, the next commit still wakes it (the fallback poll is 30 s here)."""
    pool, kafka, topic = relay_env
    stop = asyncio.Event()
    settings = RelaySettings(relay_name=topic, batch_size=50, poll_interval_s=30.0)
    task = asyncio.create_task(OutboxRelay(pool, kafka, settings).run(stop))
    try:
        for burst in (1, 120, 1, 60, 1):
            await asyncio.sleep(0.5)  # idle: the relay is waiting on LISTEN
            await _commit_events(pool, topic, burst)
            await asyncio.wait_for(_until_pending(pool, 0), 5)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    seen = await _committed_event_ids(kafka, topic, 183)
    assert sum(seen.values()) == 183 and max(seen.values()) == 1


async def test_a_leader_that_was_replaced_cannot_record_a_batch(relay_env) -> None:  # type: ignore[no-untyped-def]
    """The handover race a chaos run found: the old leader, whose lock session was
    killed, recorded one more batch after its successor had recovered; the successor
    built on that record, skipped its rows, and later took it for published. With
    epochs the stale claim fails and records nothing, so the successor claims the rows."""
    pool, _, topic = relay_env
    ids = await _commit_events(pool, topic, 12)
    async with pool.acquire() as old, pool.acquire() as new:
        old_epoch = await store.take_leadership(old, topic)
        new_epoch = await store.take_leadership(new, topic)
        assert new_epoch == old_epoch + 1
        assert await store.unfinished_batches(new, topic) == []  # the successor's recovery
        with pytest.raises(store.LeadershipLost):
            await store.try_claim_batch(old, topic, 100, old_epoch)
        assert await store.unfinished_batches(new, topic) == []
        claimed = await store.try_claim_batch(new, topic, 100, new_epoch)
    assert claimed is not None and len(claimed.events) == len(ids)


async def test_leadership_handed_over_mid_stream_loses_and_repeats_nothing(
    relay_env,  # type: ignore[no-untyped-def]
    stack: StackEndpoints,
) -> None:
    """Two relays of one outbox; the leader's lock session is killed while writes go
    on, the standby takes over, and the old leader stands down at its next claim.
    Every event reaches Kafka exactly once."""
    pool, kafka, topic = relay_env
    settings = RelaySettings(relay_name=topic, batch_size=20, min_batch_interval_s=0.05)
    dsn = dsn_for_database(stack.pg_dsn, topic)  # relay_env's database is named so
    relay_pools = [await create_pool(PostgresSettings(dsn, 1, 4, 10.0)) for _ in "ab"]
    stop = asyncio.Event()
    relays = [asyncio.create_task(OutboxRelay(p, kafka, settings).run(stop)) for p in relay_pools]
    written: list[str] = []
    try:
        for round_ in range(6):
            written += await _commit_events(pool, topic, 40)
            if round_ in (1, 3):  # twice: a to b, then b back to a
                await _kill_lock_session(pool, f"g60-outbox-{topic}")
        await _until_pending(pool, 0)
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*relays), 30)
        for p in relay_pools:
            await p.close()
    seen = await _committed_event_ids(kafka, topic, len(written))
    assert set(seen) == set(written) and max(seen.values()) == 1
    async with pool.acquire() as conn:
        assert await store.unfinished_batches(conn, topic) == []


async def _kill_lock_session(pool: asyncpg.Pool, group: str) -> None:
    """Terminate the backend holding the relay's advisory lock, as an operator (or a
    network partition) might, without the relay process noticing."""
    async with pool.acquire() as conn:
        for _ in range(100):
            killed = await conn.fetchval(
                """SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
                   WHERE l.locktype = 'advisory' AND l.granted
                     AND l.objid = hashtext($1)::oid""",
                group,
            )
            if killed:
                return
            await asyncio.sleep(0.1)
    raise AssertionError("no relay held the advisory lock")


def _envelope(aggregate_id: str, version: int) -> envelope_pb2.EventEnvelope:
    return new_envelope(
        credit_events_pb2.CreditLineRegistered(credit_line_id=aggregate_id, limit_fen=version),
        aggregate_type="CreditLine",
        aggregate_id=aggregate_id,
        aggregate_version=version,
        occurred_at=datetime.now(UTC),
        correlation_id="test",
    )


async def _commit_one(pool: asyncpg.Pool, topic: str, envelope: envelope_pb2.EventEnvelope) -> str:
    async with PgUnitOfWork(pool) as uow:
        await uow.append_event(topic, envelope)
        await uow.commit()
    return envelope.event_id


async def _until_pending(pool: asyncpg.Pool, pending: int) -> None:
    for _ in range(200):
        async with pool.acquire() as conn:
            if await store.pending_count(conn) == pending:
                return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the outbox never got down to {pending} pending rows")


async def _versions_in_kafka_order(
    kafka: KafkaSettings, topic: str, aggregate_id: str
) -> list[int]:
    consumer = AIOKafkaConsumer(topic, **consumer_settings(kafka, group_id=None))
    await consumer.start()
    versions: list[int] = []
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while len(versions) < 4 and asyncio.get_running_loop().time() < deadline:
            for records in (await consumer.getmany(timeout_ms=300)).values():
                envelopes = (decode_envelope(r.value) for r in records)
                versions += [
                    e.aggregate_version for e in envelopes if e.aggregate_id == aggregate_id
                ]
    finally:
        await consumer.stop()
    return versions


def _gauge(name: str, relay_name: str) -> float:
    value = REGISTRY.get_sample_value(name, {"relay": relay_name})
    assert value is not None, name
    return value


async def test_the_backlog_gauges_count_what_waits_even_while_kafka_is_unreachable(
    relay_env,  # type: ignore[no-untyped-def]
) -> None:
    pool, kafka, name = relay_env
    await _commit_events(pool, name, 7)
    # A broker nobody listens on: the relay cannot publish, its gauges must still report.
    unreachable = KafkaSettings("127.0.0.1:9", 1_000)
    settings = RelaySettings(relay_name=name, backlog_interval_s=0.1, retry_backoff_max_s=0.5)
    stop = asyncio.Event()
    stuck = asyncio.create_task(OutboxRelay(pool, unreachable, settings).run(stop))
    try:
        await asyncio.sleep(1.0)
        assert _gauge("g60_outbox_pending_events", name) == 7
        assert _gauge("g60_outbox_oldest_pending_age_seconds", name) >= 0.5
    finally:
        stop.set()
        await asyncio.wait_for(stuck, 15)

    stop = asyncio.Event()
    relay = asyncio.create_task(OutboxRelay(pool, kafka, settings).run(stop))
    try:
        deadline = asyncio.get_running_loop().time() + 20
        while _gauge("g60_outbox_pending_events", name) != 0:
            assert asyncio.get_running_loop().time() < deadline, "the backlog never drained"
            await asyncio.sleep(0.1)
        assert _gauge("g60_outbox_oldest_pending_age_seconds", name) == 0
        async with pool.acquire() as conn:
            assert await store.backlog(conn) == store.Backlog(0, 0.0)
    finally:
        stop.set()
        await asyncio.wait_for(relay, 15)


async def test_the_backlog_after_a_published_window_counts_only_newer_rows(
    relay_env,  # type: ignore[no-untyped-def]
) -> None:
    pool, kafka, name = relay_env
    await _commit_events(pool, name, 5)
    await _run_relay_until_drained(pool, kafka, name)
    newer = await _commit_events(pool, name, 3)
    async with pool.acquire() as conn:
        found = await store.backlog(conn)
        assert found.pending == 3 and found.oldest_age_s >= 0
        assert await store.pending_count(conn, [await _aggregate_of(conn, newer[0])]) == 1


async def _aggregate_of(conn: asyncpg.Connection, event_id: str) -> str:
    return str(await conn.fetchval("SELECT aggregate_id FROM outbox WHERE event_id = $1", event_id))
