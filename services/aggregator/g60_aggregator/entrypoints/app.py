"""The Faust app: one agent applies credit events to per-aggregate state, a timer
publishes per-partition partial sums, and web pages serve totals and metrics."""

from __future__ import annotations

import json
import logging
from typing import Any

import faust
from g60common.events import decode_envelope
from g60common.kafka import EVENT_TOPIC_PARTITIONS, TOPIC_CREDIT_EVENTS, TOTALS_TOPIC
from prometheus_client import CONTENT_TYPE_LATEST, Counter, generate_latest

from g60_aggregator.adapters.decoding import to_fact
from g60_aggregator.adapters.totals_view import TotalsView
from g60_aggregator.config import AggregatorSettings
from g60_aggregator.domain.credit_events import apply_fact
from g60_aggregator.domain.totals import (
    AggregateState,
    VersionCheck,
    check_version,
    sum_contributions,
)
from g60_aggregator.entrypoints.serialize import totals_document

log = logging.getLogger(__name__)

EVENTS = Counter("g60_aggregator_events", "Credit events by outcome", ["outcome"])


def create_app(settings: AggregatorSettings) -> faust.App:
    app = faust.App(
        settings.app_id,
        broker=f"kafka://{settings.kafka.bootstrap}",
        store="memory://",
        topic_partitions=EVENT_TOPIC_PARTITIONS,
        topic_replication_factor=1,
        producer_acks=-1,
        # Exactness comes from the per-aggregate version check, not from Faust's
        # exactly_once mode (which has open duplicate-on-rebalance bugs upstream).
        processing_guarantee="at_least_once",
        consumer_auto_offset_reset="earliest",
        web_host="127.0.0.1",
        web_port=settings.web_port,
        datadir=settings.data_dir,
        table_standby_replicas=0,
    )
    _wire(app, settings)
    return app


def _wire(app: faust.App, settings: AggregatorSettings) -> None:
    credit_events = app.topic(
        TOPIC_CREDIT_EVENTS,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
    )
    line_state = app.Table(
        "credit-aggregate-state",
        default=None,
        partitions=EVENT_TOPIC_PARTITIONS,
        key_type=str,
        value_type=dict,
    )
    dirty_partitions: set[int] = set()
    totals_producer_topic = app.topic(
        TOTALS_TOPIC.name,
        key_serializer="raw",
        value_serializer="raw",
        partitions=1,
    )
    view = TotalsView(settings.kafka)

    @app.agent(credit_events)
    async def apply_credit_events(stream: Any) -> None:
        async for event in stream.events():
            _apply(line_state, event.value, event.message.partition)
            dirty_partitions.add(event.message.partition)

    @app.timer(interval=settings.publish_interval_s)
    async def publish_partials() -> None:
        for partition in sorted(dirty_partitions):
            dirty_partitions.discard(partition)
            partial = sum_contributions(
                AggregateState.from_json(v)
                for v in line_state.values()
                if v and v.get("partition") == partition
            )
            await totals_producer_topic.send(
                key=f"p{partition}".encode(), value=json.dumps(partial).encode()
            )

    @app.task
    async def serve_totals_view() -> None:
        await view.run()

    @app.page("/v1/totals")
    async def totals(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        month = request.query.get("month")
        return web.json(totals_document(view.sums(), month))

    @app.page("/healthz")
    async def healthz(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return web.json({"status": "ok", "totals_view_ready": view.ready.is_set()})

    @app.page("/metrics")
    async def metrics(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        # aiohttp refuses a charset inside content_type; pass the full header instead.
        return web.bytes(generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})


def _apply(line_state: Any, raw: bytes, partition: int) -> None:
    envelope = decode_envelope(raw)
    fact = to_fact(envelope)
    stored = line_state.get(envelope.aggregate_id)
    previous = AggregateState.from_json(stored) if stored else None
    outcome = check_version(previous.version if previous else 0, envelope.aggregate_version)
    if outcome is VersionCheck.DUPLICATE:
        EVENTS.labels("duplicate").inc()
        return
    if outcome is VersionCheck.GAP:
        EVENTS.labels("gap").inc()
        log.warning("version gap on %s: %s", envelope.aggregate_id, envelope.aggregate_version)
    if fact is None:
        EVENTS.labels("ignored").inc()
        return
    new_state = apply_fact(previous, fact).to_json()
    new_state["partition"] = partition
    # One table write carries both the new version and the new contribution.
    line_state[envelope.aggregate_id] = new_state
    EVENTS.labels("applied").inc()
