"""Relays outbox rows to Kafka exactly once.

Each batch is recorded in PostgreSQL before it is produced (store.py: a batch is a
chunk of the rows between two snapshots), then produced in one Kafka transaction that
also commits a checkpoint (the batch number, as a consumer-group offset of the
relay's own group). After a crash, the new producer fences the old transactional id,
so the checkpoint tells exactly which recorded batches reached Kafka: older ones are
only marked published, the rest are produced again. read_committed consumers
therefore see each event once. One relay per service runs at a time, guarded by a
PostgreSQL advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from prometheus_client import Counter, Gauge

from g60common.config import KafkaSettings
from g60common.kafka import TopicSpec, ensure_topics, producer_settings
from g60common.outbox import store

log = logging.getLogger(__name__)

CHECKPOINT_TOPIC = TopicSpec("g60.outbox.checkpoints", partitions=1, config={})
_CHECKPOINT_TP = TopicPartition(CHECKPOINT_TOPIC.name, 0)

EVENTS_RELAYED = Counter("g60_outbox_events_relayed", "Outbox events published", ["relay"])
BATCHES_RECOVERED = Counter(
    "g60_outbox_batches_recovered", "Stamped batches found after a restart", ["relay", "outcome"]
)
PENDING = Gauge("g60_outbox_pending_events", "Outbox rows not yet published", ["relay"])
OLDEST_PENDING_AGE = Gauge(
    "g60_outbox_oldest_pending_age_seconds",
    "Age of the oldest outbox row not yet published (0 when none): the relay's lag",
    ["relay"],
)


@dataclass(frozen=True)
class RelaySettings:
    relay_name: str
    batch_size: int = 500
    poll_interval_s: float = 1.0
    # A Kafka transaction costs 3-6 ms of CPU (broker and client) whether it carries one
    # event or a hundred (docs/benchmarks.md), so under load a batch starts at most this
    # long after the previous one started, and each transaction carries the commits of
    # the whole interval. After a quiet spell the first commit is published at once.
    # 250 ms rather than 100: Kafka's CPU per credit operation fell by a third to a half
    # (docs/benchmarks.md), and totals a quarter of a second behind under load are live.
    min_batch_interval_s: float = 0.25
    retry_backoff_max_s: float = 10.0
    # How often every replica counts the backlog for the gauges above, whether or not it
    # leads and whether or not Kafka is reachable: an outage is when they matter.
    backlog_interval_s: float = 5.0


class OutboxRelay:
    def __init__(self, pool: asyncpg.Pool, kafka: KafkaSettings, settings: RelaySettings) -> None:
        self._pool = pool
        self._kafka = kafka
        self._settings = settings
        self._wake = asyncio.Event()
        self._group = f"g60-outbox-{settings.relay_name}"

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set, restarting the cycle with backoff on errors, and
        report the backlog meanwhile."""
        watcher = asyncio.create_task(self._watch_backlog(stop))
        try:
            await self._relay_until(stop)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    async def _watch_backlog(self, stop: asyncio.Event) -> None:
        name = self._settings.relay_name
        while not stop.is_set():
            try:
                async with self._pool.acquire() as conn:
                    found = await store.backlog(conn)
                PENDING.labels(name).set(found.pending)
                OLDEST_PENDING_AGE.labels(name).set(found.oldest_age_s)
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("outbox relay %s could not count its backlog: %r", name, exc)
            except Exception:  # a bug: say so, and keep the gauges alive
                log.exception("outbox relay %s backlog count failed", name)
            await _sleep_or_stop(stop, self._settings.backlog_interval_s)

    async def _relay_until(self, stop: asyncio.Event) -> None:
        backoff_s = 0.2
        while not stop.is_set():
            try:
                await self._run_leader(stop)
            except store.LeadershipLost as exc:
                log.warning("outbox relay %s stands down: %s", self._settings.relay_name, exc)
            except (TimeoutError, OSError, asyncpg.PostgresError, RuntimeError) as exc:
                log.warning("outbox relay %s failed, retrying: %r", self._settings.relay_name, exc)
            except Exception as exc:  # kafka errors have no common base worth naming
                log.exception("outbox relay %s error: %r", self._settings.relay_name, exc)
            await _sleep_or_stop(stop, backoff_s)
            backoff_s = min(backoff_s * 2, self._settings.retry_backoff_max_s)

    async def _run_leader(self, stop: asyncio.Event) -> None:
        async with self._pool.acquire() as lock_conn:
            await lock_conn.execute("SELECT pg_advisory_lock(hashtext($1))", self._group)
            wakeups = _Wakeups(lock_conn, self._wake)
            try:
                epoch = await store.take_leadership(lock_conn, self._settings.relay_name)
                await self._relay_as_leader(stop, wakeups, epoch)
            finally:
                await _let_go(lock_conn, wakeups, self._group)

    async def _relay_as_leader(self, stop: asyncio.Event, wakeups: _Wakeups, epoch: int) -> None:
        await ensure_topics(self._kafka, (CHECKPOINT_TOPIC,))
        producer = AIOKafkaProducer(**producer_settings(self._kafka, transactional_id=self._group))
        # start() fences any transaction left open by a crashed predecessor.
        await producer.start()
        try:
            await self._recover(producer)
            loop = asyncio.get_running_loop()
            next_claim_s = 0.0
            while not stop.is_set():
                await _sleep_or_stop(stop, next_claim_s - loop.time())
                # Cleared before claiming, so a NOTIFY that arrives while a batch
                # is being published wakes the next round instead of being lost.
                self._wake.clear()
                started_s = loop.time()
                relayed = await self._relay_next_batch(producer, epoch)
                full = relayed == self._settings.batch_size
                next_claim_s = started_s + (0.0 if full else self._settings.min_batch_interval_s)
                if relayed:
                    # Busy: the interval paces the claims, so every commit's NOTIFY
                    # would only wake this process (and a backend) for nothing.
                    await wakeups.stop_listening()
                elif not wakeups.listening:
                    # Listen first, then look once more: a commit between the empty
                    # claim and the LISTEN would otherwise wait for the poll.
                    await wakeups.listen()
                    next_claim_s = started_s
                else:
                    await self._wait_for_work(stop)
        finally:
            await producer.stop()

    async def _recover(self, producer: AIOKafkaProducer) -> None:
        checkpoint = await self._read_checkpoint()
        name = self._settings.relay_name
        async with self._pool.acquire() as conn:
            for batch in await store.unfinished_batches(conn, name):
                if batch < checkpoint:
                    await store.mark_published(conn, name, batch)
                    BATCHES_RECOVERED.labels(name, "already_in_kafka").inc()
                else:
                    events = await store.load_batch(conn, name, batch)
                    await self._publish(producer, conn, batch, events)
                    BATCHES_RECOVERED.labels(name, "republished").inc()

    async def _read_checkpoint(self) -> int:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap,
            group_id=self._group,
            enable_auto_commit=False,
            isolation_level="read_committed",
        )
        await consumer.start()
        try:
            committed = await consumer.committed(_CHECKPOINT_TP)
        finally:
            await consumer.stop()
        return int(committed) if committed is not None else 0

    async def _relay_next_batch(self, producer: AIOKafkaProducer, epoch: int) -> int:
        """Claims and publishes one batch; returns how many events it carried."""
        async with self._pool.acquire() as conn:
            claimed = await store.try_claim_batch(
                conn, self._settings.relay_name, self._settings.batch_size, epoch
            )
            if claimed is None:
                return 0
            return await self._publish(producer, conn, claimed.batch, claimed.events)

    async def _publish(
        self,
        producer: AIOKafkaProducer,
        conn: asyncpg.Connection,
        batch: int,
        events: list[store.PendingEvent],
    ) -> int:
        async with producer.transaction():
            for event in events:
                await producer.send(
                    event.topic, event.envelope, key=event.message_key, headers=event.headers
                )
            await producer.send_offsets_to_transaction({_CHECKPOINT_TP: batch + 1}, self._group)
        await store.mark_published(conn, self._settings.relay_name, batch)
        EVENTS_RELAYED.labels(self._settings.relay_name).inc(len(events))
        return len(events)

    async def _wait_for_work(self, stop: asyncio.Event) -> None:
        waiters = {asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())}
        _, pending = await asyncio.wait(
            waiters, timeout=self._settings.poll_interval_s, return_when=asyncio.FIRST_COMPLETED
        )
        for waiter in pending:
            waiter.cancel()


class _Wakeups:
    """The leader's `LISTEN outbox_pending`, held only while the relay is idle."""

    def __init__(self, conn: asyncpg.Connection, wake: asyncio.Event) -> None:
        self._conn = conn
        self._wake = wake
        self.listening = False

    def _on_notify(self, *_: object) -> None:
        self._wake.set()

    async def listen(self) -> None:
        await self._conn.add_listener("outbox_pending", self._on_notify)
        self.listening = True

    async def stop_listening(self) -> None:
        if self.listening:
            self.listening = False
            await self._conn.remove_listener("outbox_pending", self._on_notify)


async def _let_go(lock_conn: asyncpg.Connection, wakeups: _Wakeups, group: str) -> None:
    """Unlisten and unlock; on a connection that is already gone (PostgreSQL restarted,
    the session was terminated) there is nothing to undo, and raising here would hide
    the error that ended the leadership."""
    try:
        await wakeups.stop_listening()
        await lock_conn.execute("SELECT pg_advisory_unlock(hashtext($1))", group)
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        log.info("outbox relay lock session already gone: %r", exc)


async def _sleep_or_stop(stop: asyncio.Event, delay_s: float) -> None:
    if delay_s <= 0:
        return
    try:
        await asyncio.wait_for(stop.wait(), timeout=delay_s)
    except TimeoutError:
        pass
