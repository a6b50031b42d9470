"""Reads the credit topic from its start into fresh, in-process tables, using the
very appliers the workers use; the rebuilt totals must equal the live ones."""

from __future__ import annotations

from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, TopicPartition
from g60common.config import KafkaSettings
from g60common.kafka import TOPIC_CREDIT_EVENTS, consumer_settings

from g60_aggregator.adapters.appliers import LineApplier, ServedApplier
from g60_aggregator.adapters.kafka_metadata import topic_partitions
from g60_aggregator.domain.partials import PartialSums
from g60_aggregator.domain.totals import Sums, merge_sums

FETCH_MAX_RECORDS = 5_000
REPLAY_PARTITION = 0  # one process owns everything: partitions only matter to workers


class TopicReplay:
    def __init__(self, kafka: KafkaSettings) -> None:
        self.lines = LineApplier({}, PartialSums())
        self.served = ServedApplier({}, PartialSums())
        self._kafka = kafka
        self._consumer = AIOKafkaConsumer(**consumer_settings(kafka, group_id=None))
        self._tps: list[TopicPartition] = []

    async def start(self) -> None:
        self._tps = await topic_partitions(self._kafka, TOPIC_CREDIT_EVENTS)
        await self._consumer.start()
        self._consumer.assign(self._tps)
        await self._consumer.seek_to_beginning()

    async def stop(self) -> None:
        await self._consumer.stop()

    async def remaining(self) -> int:
        """Offsets between the current positions and the topic's end, right now."""
        ends = await self._consumer.end_offsets(self._tps)
        return sum([ends[tp] - await self._consumer.position(tp) for tp in self._tps])

    async def read_to_end(self, progress: Callable[[int], object]) -> None:
        """Applies everything up to the end offsets as of this call."""
        ends = await self._consumer.end_offsets(self._tps)
        while True:
            positions = {tp: await self._consumer.position(tp) for tp in self._tps}
            behind = [tp for tp in self._tps if positions[tp] < ends[tp]]
            if not behind:
                return
            batches = await self._consumer.getmany(
                *behind, timeout_ms=500, max_records=FETCH_MAX_RECORDS
            )
            for records in batches.values():
                for record in records:
                    self._apply(record.value)
            moved = [await self._consumer.position(tp) - positions[tp] for tp in behind]
            progress(sum(moved))

    def _apply(self, raw: bytes) -> None:
        forward = self.lines.apply(raw, REPLAY_PARTITION)
        if forward is not None:
            self.served.apply(forward, REPLAY_PARTITION)

    def sums(self) -> Sums:
        return merge_sums(
            [self.lines.partials.snapshot(REPLAY_PARTITION), self.served.partials.snapshot(0)]
        )
