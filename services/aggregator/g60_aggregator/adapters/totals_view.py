"""Serves the alliance totals from the compacted totals topic.

Workers publish one snapshot per event-topic partition (key "p<N>"); any reader sums
the latest snapshot of every partition, so the view is complete whichever worker
owns which partitions."""

from __future__ import annotations

import asyncio
import json
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from g60common.config import KafkaSettings
from g60common.kafka import TOPIC_TOTALS

from g60_aggregator.domain.totals import Sums, merge_sums

log = logging.getLogger(__name__)


class TotalsView:
    def __init__(self, kafka: KafkaSettings) -> None:
        self._kafka = kafka
        self._latest: dict[str, Sums] = {}
        self.ready = asyncio.Event()

    def sums(self) -> Sums:
        return merge_sums(self._latest.values())

    def apply(self, key: str, value: bytes | None) -> None:
        if value is None:
            self._latest.pop(key, None)
        else:
            self._latest[key] = json.loads(value)

    async def run(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._kafka.bootstrap,
            group_id=None,
            enable_auto_commit=False,
            isolation_level="read_committed",
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            await consumer.topics()  # loads metadata so partitions are known
            partitions = consumer.partitions_for_topic(TOPIC_TOTALS) or {0}
            consumer.assign([TopicPartition(TOPIC_TOTALS, p) for p in partitions])
            await consumer.seek_to_beginning()
            self.ready.set()
            while True:
                batches = await consumer.getmany(timeout_ms=200, max_records=1000)
                for records in batches.values():
                    for record in records:
                        self.apply(record.key.decode(), record.value)
        finally:
            await consumer.stop()
