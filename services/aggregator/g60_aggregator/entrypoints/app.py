"""The Faust app.

- `apply_credit_events`: credit events -> per-aggregate state table (version check and
  contribution in one write) and in-memory per-partition partial sums.
- `apply_served`: disbursements re-keyed by enterprise -> earliest month served.
- `publish_partials`: every publish interval, the changed partitions' partial sums go
  to the compacted totals topic (keys "p<N>" and "s<N>").
"""

from __future__ import annotations

import json
import logging
from typing import Any

import faust
from g60common.kafka import EVENT_TOPIC_PARTITIONS, TOPIC_CREDIT_EVENTS

from g60_aggregator.adapters import metrics
from g60_aggregator.adapters.appliers import LineApplier, ServedApplier
from g60_aggregator.adapters.faust_acks import (
    install_generation_ack_guard,
    mark_released,
    require_release,
)
from g60_aggregator.adapters.faust_seeks import install_seek_guard
from g60_aggregator.config import AggregatorSettings
from g60_aggregator.domain.partials import PartialSums
from g60_aggregator.domain.served import ServedFact
from g60_aggregator.entrypoints.web import register_pages

log = logging.getLogger(__name__)

# Changelogs are compacted; they must never lose a key to time-based retention either,
# or a recovered table would forget versions and apply redelivered events twice.
CHANGELOG_CONFIG = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "compact"}
LINE_TABLE, SERVED_TABLE = "credit-aggregate-state", "enterprise-served"
TABLES = (LINE_TABLE, SERVED_TABLE)
LINES_PREFIX, SERVED_PREFIX = "p", "s"


def create_app(settings: AggregatorSettings) -> faust.App:
    app = unwired_app(settings)
    _wire(app, settings)
    return app


def unwired_app(settings: AggregatorSettings) -> faust.App:
    """The Faust app with our settings and no agents (the benchmark's Faust ceiling
    runs an empty agent on exactly this)."""
    install_generation_ack_guard()
    install_seek_guard()
    return faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka.bootstrap}",
        store="memory://",
        topic_partitions=EVENT_TOPIC_PARTITIONS,
        topic_replication_factor=1,
        producer_acks=-1,
        # Every event writes a changelog record; without linger each one is its own
        # produce request (a socket send per event dominated the profile).
        producer_linger=settings.producer_linger_s,
        # Exactness comes from the per-aggregate version check (and the idempotent
        # served merge), not from exactly_once; that mode is only an option.
        processing_guarantee=settings.processing_guarantee,
        consumer_auto_offset_reset="earliest",
        web_host=settings.web_host,
        web_port=settings.web_port,
        datadir=settings.data_dir,
        table_standby_replicas=0,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=max(settings.session_timeout_s / 4, 0.5),
    )


def raw_topic(app: faust.App, name: str, partitions: int | None = None) -> Any:
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=partitions,
    )


def _table(app: faust.App, name: str) -> Any:
    table: Any = app.Table(
        name,
        default=None,
        partitions=EVENT_TOPIC_PARTITIONS,
        key_type=str,
        # Values are our own JSON bytes: Faust cannot recover a changelog into a
        # plain-dict value type (it expects a Record), bytes round-trip untouched.
        value_type=bytes,
        extra_topic_configs=CHANGELOG_CONFIG,
    )
    table.value_serializer = "raw"  # the constructor accepts no serializer argument
    return table


class Publisher:
    """Remembers the last source offset per partition so a reader keeps the newest."""

    def __init__(self, topic: Any) -> None:
        self.topic = topic
        self.offsets: dict[tuple[str, int], int] = {}

    async def publish(self, prefix: str, partition: int, partials: PartialSums) -> None:
        body = {
            "offset": self.offsets.get((prefix, partition), -1),
            "sums": partials.snapshot(partition),
        }
        await self.topic.send(key=f"{prefix}{partition}".encode(), value=json.dumps(body).encode())


def _wire(app: faust.App, settings: AggregatorSettings) -> None:
    credit_events = raw_topic(app, TOPIC_CREDIT_EVENTS)
    served_topic = raw_topic(app, settings.served_topic, EVENT_TOPIC_PARTITIONS)
    lines = LineApplier(_table(app, LINE_TABLE), PartialSums())
    served = ServedApplier(_table(app, SERVED_TABLE), PartialSums())
    publisher = Publisher(raw_topic(app, settings.totals_topic, 1))
    # Offsets on the agents' topics count only for messages the agent has applied, and
    # their partitions with nothing committed are read from the beginning after a
    # rebalance (Faust may ack, and skip past, messages it never hands to the agent; see
    # faust_acks point 2 and faust_seeks). Each agent releases a message after its table write
    # (and forward) are in the producer, which every commit flushes first.
    require_release(app, (credit_events.get_topic_name(), served_topic.get_topic_name()))

    @app.agent(credit_events)
    async def apply_credit_events(stream: Any) -> None:
        async for event in stream.events():
            partition = event.message.partition
            forward = lines.apply(event.value, partition)
            publisher.offsets[(LINES_PREFIX, partition)] = event.message.offset
            if forward is not None:
                metrics.SERVED_FORWARDED.inc()
                await served_topic.send(
                    key=forward.enterprise_id.encode(), value=json.dumps(forward.to_json()).encode()
                )
            mark_released(event.message)

    @app.agent(served_topic)
    async def apply_served(stream: Any) -> None:
        async for event in stream.events():
            partition = event.message.partition
            served.apply(ServedFact.from_json(json.loads(event.value)), partition)
            publisher.offsets[(SERVED_PREFIX, partition)] = event.message.offset
            mark_released(event.message)

    _wire_recovery(app, lines, served, credit_events.get_topic_name(), settings.served_topic)

    @app.timer(interval=settings.publish_interval_s)
    async def publish_partials() -> None:
        for prefix, applier in ((LINES_PREFIX, lines), (SERVED_PREFIX, served)):
            for partition in sorted(applier.dirty):
                applier.dirty.discard(partition)
                await publisher.publish(prefix, partition, applier.partials)

    register_pages(app, settings)


def _wire_recovery(
    app: faust.App, lines: LineApplier, served: ServedApplier, lines_topic: str, served_topic: str
) -> None:
    def assigned(topic: str) -> set[int]:
        return {tp.partition for tp in app.assignor.assigned_actives() if tp.topic == topic}

    lines_table: Any = lines.table
    served_table: Any = served.table

    @lines_table.on_recover
    async def rebuild_lines() -> None:
        # The memory store has just dropped keys of partitions no longer assigned.
        lines.rebuild(list(lines.table.values()), assigned(lines_topic))
        log.info("rebuilt line partials for partitions %s", lines.partials.partitions())

    @served_table.on_recover
    async def rebuild_served() -> None:
        served.rebuild(list(served.table.values()), assigned(served_topic))

    async def forget_revoked(sender: Any, revoked: Any, **_: Any) -> None:
        for tp in revoked:
            for applier, topic in ((lines, lines_topic), (served, served_topic)):
                if tp.topic == topic:
                    applier.partials.drop(tp.partition)
                    applier.dirty.discard(tp.partition)

    app.on_partitions_revoked.connect(forget_revoked)  # type: ignore[arg-type]
