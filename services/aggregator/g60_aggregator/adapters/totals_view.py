"""Serves the alliance totals from the compacted totals topic.

Workers publish one snapshot per source partition (keys "p<N>" for credit-event
partitions, "s<N>" for enterprise-served partitions); any reader sums the latest
snapshot of every key, so the view is complete whichever worker owns which partition.
A snapshot carries the source offset it reflects; after a rebalance a late snapshot
from the previous owner cannot replace the new owner's newer one."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from aiokafka import AIOKafkaConsumer
from g60common.config import KafkaSettings
from g60common.kafka import consumer_settings

from g60_aggregator.adapters.kafka_metadata import topic_partitions
from g60_aggregator.domain.totals import Sums, merge_sums

log = logging.getLogger(__name__)

FETCH_MAX_RECORDS = 1000


class TotalsView:
    def __init__(self, kafka: KafkaSettings, topic: str) -> None:
        self._kafka = kafka
        self._topic = topic
        self._latest: dict[str, tuple[int, Sums]] = {}
        self._merged: Sums | None = None
        self.ready = asyncio.Event()

    def sums(self) -> Sums:
        # Merged lazily and cached until the next snapshot: reads are cheap under load.
        if self._merged is None:
            self._merged = merge_sums(sums for _, sums in self._latest.values())
        return self._merged

    def apply(self, key: str, value: bytes | None) -> None:
        self._merged = None
        if value is None:
            self._latest.pop(key, None)
            return
        body: dict[str, Any] = json.loads(value)
        offset = int(body["offset"])
        current = self._latest.get(key)
        if current is None or offset >= current[0]:
            self._latest[key] = (offset, body["sums"])

    async def run(self) -> None:
        tps = await topic_partitions(self._kafka, self._topic)
        consumer = AIOKafkaConsumer(**consumer_settings(self._kafka, group_id=None))
        await consumer.start()
        try:
            consumer.assign(tps)
            await consumer.seek_to_beginning()
            self.ready.set()
            while True:
                batches = await consumer.getmany(timeout_ms=200, max_records=FETCH_MAX_RECORDS)
                for records in batches.values():
                    for record in records:
                        self.apply(record.key.decode(), record.value)
        finally:
            await consumer.stop()


async def read_totals_once(kafka: KafkaSettings, topic: str) -> Sums:
    """The current totals, read from the compacted topic up to its end (for commands)."""
    view = TotalsView(kafka, topic)
    tps = await topic_partitions(kafka, topic)
    consumer = AIOKafkaConsumer(**consumer_settings(kafka, group_id=None))
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning()
        ends = await consumer.end_offsets(tps)
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            batches = await consumer.getmany(timeout_ms=200, max_records=FETCH_MAX_RECORDS)
            for records in batches.values():
                for record in records:
                    view.apply(record.key.decode(), record.value)
    finally:
        await consumer.stop()
    return view.sums()
