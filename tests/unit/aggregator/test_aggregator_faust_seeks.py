"""Partitions that must be read again after a rebalance, from the right offset
(g60_aggregator.adapters.faust_seeks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import faust
import pytest
from faust.types import TP
from g60_aggregator.adapters.faust_acks import require_release
from g60_aggregator.adapters.faust_seeks import install_seek_guard, rewind_uncommitted

SOURCE = TP("g60.credit.events.v1", 0)


@pytest.fixture
def consumer() -> Iterator[Any]:
    app = faust.App("seek-guard-test", broker="kafka://127.0.0.1:1", web_enabled=False)
    app.consumer_generation_id = 2  # a rebalance has happened: generation 1 is over
    yield app.consumer


class _Fetcher:
    def __init__(self) -> None:
        self.sought: list[tuple[Any, int]] = []

    def seek_to(self, tp: Any, offset: int) -> None:
        self.sought.append((tp, offset))


async def test_aiokafka_does_not_seek_a_partition_with_nothing_committed() -> None:
    """Why rewinding exists: the position of a partition with no commit (or a commit at
    0) stays where the fetcher was, past the messages Faust dropped in the rebalance."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer: Any = AIOKafkaConsumer.__new__(AIOKafkaConsumer)
    consumer._fetcher = _Fetcher()
    committed = {TopicPartition("t", 0): None, TopicPartition("t", 1): 0, TopicPartition("t", 2): 7}

    async def committed_offset(tp: Any) -> Any:
        return committed[tp]

    consumer.committed = committed_offset
    assigned = {"assigned_partitions": lambda _: set(committed)}
    consumer._subscription = type("Subscription", (), assigned)()
    await consumer.seek_to_committed(*committed)
    assert consumer._fetcher.sought == [(TopicPartition("t", 2), 7)]


class _Seeks:
    """Records `Consumer.seek` calls; the earliest offset of every partition is 3."""

    def __init__(self, consumer: Any) -> None:
        self.consumer = consumer
        self.sought: list[tuple[Any, int]] = []

    async def earliest_offsets(self, *tps: Any) -> dict[Any, int]:
        return dict.fromkeys(tps, 3)

    async def seek(self, tp: Any, offset: int) -> None:
        self.sought.append((tp, offset))
        self.consumer._read_offset[tp] = offset  # as Faust's seek does


def _record_seeks(consumer: Any) -> _Seeks:
    seeks = _Seeks(consumer)
    consumer.earliest_offsets = seeks.earliest_offsets
    consumer.seek = seeks.seek
    return seeks


async def test_guarded_partitions_without_a_commit_are_sought_to_the_beginning(
    consumer: Any,
) -> None:
    held, other = TP(SOURCE.topic, 1), TP("a-changelog", 0)
    require_release(consumer.app, [SOURCE.topic])
    consumer.assignment = lambda: {SOURCE, held, other}
    consumer._committed_offset[SOURCE] = 120  # committed: Faust's own seek is right
    consumer._committed_offset[held] = None  # nothing committed (or 0)
    consumer._read_offset[held] = 55
    seeks = _record_seeks(consumer)
    await rewind_uncommitted(consumer)
    assert seeks.sought == [(held, 3)]  # an explicit offset: the position is never None
    assert consumer._read_offset[held] == 3


async def test_a_partition_revoked_meanwhile_is_left_to_the_next_seek(consumer: Any) -> None:
    from aiokafka.errors import IllegalStateError

    require_release(consumer.app, [SOURCE.topic])
    consumer.assignment = lambda: {SOURCE}

    async def seek(tp: Any, offset: int) -> None:
        raise IllegalStateError(f"No current assignment for partition {tp}")

    _record_seeks(consumer)
    consumer.seek = seek
    await rewind_uncommitted(consumer)  # no crash


async def test_the_rewind_runs_after_fausts_own_seek(consumer: Any) -> None:
    install_seek_guard()
    require_release(consumer.app, [SOURCE.topic])
    consumer.assignment = lambda: {SOURCE}

    async def seek_to_committed() -> dict[Any, int]:
        return {SOURCE: 0}  # what aiokafka reports for "committed at 0": not sought

    consumer.seek_to_committed = seek_to_committed
    seeks = _record_seeks(consumer)
    await consumer.perform_seek()
    assert seeks.sought == [(SOURCE, 3)]
