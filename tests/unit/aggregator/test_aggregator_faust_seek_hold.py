"""No message of a guarded partition is delivered in a consumer generation before that
generation's seek, nor before Faust clears its stream queues at the end of the rebalance
(g60_aggregator.adapters.faust_seeks, point 2).

Faust's own code runs here (its consumer, fetch loop and recovery); only Kafka is a fake:
a partition log served from a position, committed and earliest offsets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import faust
import pytest
from aiokafka.errors import IllegalStateError
from faust.types import TP
from faust.types.tuples import Message
from g60_aggregator.adapters.faust_acks import require_release
from g60_aggregator.adapters.faust_seeks import install_seek_guard

SOURCE = TP("g60.credit.events.v1", 0)  # guarded: the agents' topics
OTHER = TP("g60-aggregator-__assignor-__leader", 0)  # not guarded
LOG_END = 110  # SOURCE holds offsets 0..109
COMMITTED = 100  # applied and committed up to here
STALE_READ = 105  # delivered (not applied) before the rebalance; Faust remembers it

pytestmark = pytest.mark.timeout(10)


class _Kafka:
    """Serves SOURCE from a position; a new assignment starts at the committed offset,
    as aiokafka does. Records which partitions were fetchable when the seek ran."""

    def __init__(self, consumer: Any) -> None:
        self.consumer = consumer
        self.position = COMMITTED
        self.committed: dict[Any, Any] = {SOURCE: COMMITTED, OTHER: None}
        self.active_at_seek: set[Any] | None = None
        self.on_seek: Any = None
        consumer.assignment = lambda: {SOURCE, OTHER}
        consumer.seek_to_committed = self.seek_to_committed
        consumer.earliest_offsets = self.earliest_offsets
        consumer.seek = self.seek
        consumer._getmany = self.getmany
        consumer._to_message = self.to_message
        consumer.highwater = lambda tp: LOG_END

    async def seek_to_committed(self) -> dict[Any, Any]:
        self.active_at_seek = set(self.consumer._active_partitions)
        if self.on_seek is not None:
            self.on_seek()
        self.position = self.committed[SOURCE] or 0
        return dict(self.committed)

    async def earliest_offsets(self, *tps: Any) -> dict[Any, int]:
        return dict.fromkeys(tps, 0)

    async def seek(self, tp: Any, offset: int) -> None:
        self.consumer._read_offset[tp] = offset or None

    # Faust passes `timeout` by name (consumer.py:801): the signature is Faust's.
    async def getmany(self, active_partitions: Any, timeout: float) -> Any:  # noqa: ASYNC109
        if SOURCE not in active_partitions:
            return {}
        batch = list(range(self.position, LOG_END))
        self.position = LOG_END
        return {SOURCE: batch}

    def to_message(self, tp: Any, offset: int) -> Message:
        generation = self.consumer.app.consumer_generation_id
        return Message(
            tp.topic, tp.partition, offset, 0.0, 0, [], b"k", b"v", None,
            tp=tp, generation_id=generation,
        )  # fmt: skip


class _CallRecorder:
    """A consumer that only records what Faust's recovery asks of it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def assignment(self) -> set[Any]:
        return {SOURCE}

    def resume_partitions(self, tps: Any) -> None:
        self.calls.append("resume")

    async def perform_seek(self) -> None:
        self.calls.append("seek")

    def resume_flow(self) -> None:
        self.calls.append("resume flow")


@pytest.fixture
async def consumer() -> AsyncIterator[Any]:
    """Created on the test's event loop: Faust's events bind to the loop they are made on."""
    install_seek_guard()
    app = faust.App("seek-hold-test", broker="kafka://127.0.0.1:1", web_enabled=False)
    require_release(app, [SOURCE.topic])
    app.consumer_generation_id = 2
    consumer = app.consumer
    consumer.kafka = _Kafka(consumer)
    consumer.delivered = []

    async def deliver(message: Any) -> None:
        consumer.delivered.append(message.offset)

    async def app_on_assigned(assigned: Any, generation_id: int) -> None:
        consumer.pause_partitions(assigned)  # what the app does first (app/base.py:1886)

    consumer.callback = deliver
    consumer._on_partitions_assigned = app_on_assigned
    yield consumer


async def _fetch_once(consumer: Any) -> list[int]:
    """One batch through Faust's own fetch loop (`Consumer._drain_messages`)."""
    consumer.delivered = []
    fetcher = SimpleNamespace(_stopped=asyncio.Event())
    faust_getmany = type(consumer).getmany

    async def one_batch(timeout: float) -> Any:  # noqa: ASYNC109 (Faust's signature)
        fetcher._stopped.set()  # the loop ends after this batch
        async for item in faust_getmany(consumer, timeout):
            yield item

    consumer.getmany = one_batch
    try:
        await consumer._drain_messages(fetcher)
    finally:
        del consumer.getmany
    return list(consumer.delivered)


async def _new_generation(consumer: Any, generation: int) -> None:
    """A rebalance: this worker keeps SOURCE; aiokafka restarts it at the committed
    offset; Faust's queues were cleared, so what it delivered past that was not applied."""
    consumer.app.consumer_generation_id = generation
    consumer.kafka.position = COMMITTED
    await consumer.on_partitions_assigned({SOURCE, OTHER}, generation)


async def test_faust_drops_what_is_below_a_read_offset_left_from_an_earlier_generation(
    consumer: Any,
) -> None:
    """Why the hold exists (Faust's behaviour, the guard bypassed): a kept partition,
    fetched again from its committed offset before the seek, loses 100-104 and jumps
    ahead to 105: newer versions first, the older ones later skipped as duplicates."""
    consumer._active_partitions = {SOURCE, OTHER}
    consumer._read_offset[SOURCE] = STALE_READ
    assert await _fetch_once(consumer) == list(range(STALE_READ, LOG_END))


async def test_fausts_recovery_resumes_stream_partitions_before_it_seeks() -> None:
    """Why the hold exists: Faust's own order at the end of recovery."""
    recorder = _CallRecorder()
    app = faust.App("recovery-order-test", broker="kafka://127.0.0.1:1", web_enabled=False)
    app.consumer_generation_id = 2
    app._consumer = recorder
    app._fetcher = SimpleNamespace(maybe_start=lambda: asyncio.sleep(0))
    faust_resume = app.flow_control.resume
    app.flow_control.resume = lambda: (recorder.calls.append("clear queues"), faust_resume())
    await app.tables.recovery.on_recovery_completed(generation_id=2)
    assert recorder.calls == ["resume", "seek", "clear queues", "resume flow"]


async def test_fausts_flow_control_resume_clears_the_stream_queues() -> None:
    """Why the hold lasts until flow resumes: what was delivered before is dropped."""
    app = faust.App("flow-control-test", broker="kafka://127.0.0.1:1", web_enabled=False)
    queue = app.channel().queue  # what an agent's stream reads from
    queue.put_nowait("a delivered message")
    app.flow_control.resume()
    assert queue.empty()


async def test_a_new_assignment_forgets_the_read_offsets_of_guarded_partitions(
    consumer: Any,
) -> None:
    consumer._read_offset[SOURCE] = STALE_READ
    consumer._read_offset[OTHER] = 7
    await _new_generation(consumer, 3)
    assert consumer._read_offset[SOURCE] is None
    assert consumer._read_offset[OTHER] == 7  # not ours to touch


async def test_in_fausts_recovery_guarded_partitions_wait_for_seek_and_cleared_queues(
    consumer: Any,
) -> None:
    app = consumer.app
    active_at_clear: list[set[Any]] = []
    faust_resume = app.flow_control.resume
    app.flow_control.resume = lambda: (
        active_at_clear.append(set(consumer._active_partitions)),
        faust_resume(),
    )
    app._fetcher = SimpleNamespace(maybe_start=lambda: asyncio.sleep(0))
    await _new_generation(consumer, 3)
    await app.tables.recovery.on_recovery_completed(generation_id=3)
    assert consumer.kafka.active_at_seek == {OTHER}  # resumed at once: not guarded
    assert active_at_clear == [{OTHER}]
    assert consumer._active_partitions == {SOURCE, OTHER}


async def _seek_and_flow(consumer: Any) -> None:
    """The end of Faust's recovery, after it asked to resume the partitions."""
    await consumer.perform_seek()
    consumer.app.flow_control.resume()
    consumer.resume_flow()


async def test_after_a_rebalance_delivery_starts_at_the_committed_offset(consumer: Any) -> None:
    """The scenario of the loss, with the guard: nothing before the seek and the clear,
    then every message from the committed offset, in order."""
    consumer._read_offset[SOURCE] = STALE_READ
    await _new_generation(consumer, 3)
    consumer.resume_partitions({SOURCE, OTHER})  # as recovery does, before its seek
    assert await _fetch_once(consumer) == []
    await consumer.perform_seek()
    assert await _fetch_once(consumer) == []  # the queues are yet to be cleared
    consumer.app.flow_control.resume()
    consumer.resume_flow()
    assert await _fetch_once(consumer) == list(range(COMMITTED, LOG_END))


async def test_an_early_seek_still_waits_for_flow_to_resume(consumer: Any) -> None:
    """Faust also seeks when a fetch returns while flow is stopped (consumer.py:772),
    during the rebalance: recovery's resume of the partitions must still wait."""
    await _new_generation(consumer, 3)
    await consumer.perform_seek()
    consumer.resume_flow()  # as when recovery starts reading the changelogs
    consumer.resume_partitions({SOURCE, OTHER})
    assert SOURCE not in consumer._active_partitions
    await _seek_and_flow(consumer)
    assert SOURCE in consumer._active_partitions


async def test_a_rebalance_during_the_seek_keeps_the_partitions_paused(consumer: Any) -> None:
    await _new_generation(consumer, 3)
    consumer.resume_partitions({SOURCE, OTHER})
    consumer.kafka.on_seek = lambda: setattr(consumer.app, "consumer_generation_id", 4)
    await _seek_and_flow(consumer)
    assert SOURCE not in consumer._active_partitions
    # Generation 4 resumes only what Faust asks to resume in generation 4.
    consumer.kafka.on_seek = None
    await _seek_and_flow(consumer)
    assert SOURCE not in consumer._active_partitions
    consumer.resume_partitions({SOURCE})
    await _seek_and_flow(consumer)
    assert SOURCE in consumer._active_partitions


async def test_a_partition_paused_again_is_not_resumed(consumer: Any) -> None:
    await _new_generation(consumer, 3)
    consumer.resume_partitions({SOURCE, OTHER})
    consumer.pause_partitions({SOURCE})
    await _seek_and_flow(consumer)
    assert SOURCE not in consumer._active_partitions


async def test_buffer_pressure_easing_does_not_resume_a_held_partition(consumer: Any) -> None:
    await _new_generation(consumer, 3)
    consumer.resume_partitions({SOURCE, OTHER})
    consumer.pause_partitions({SOURCE})  # as Faust's buffer pressure takes it out
    consumer._buffered_partitions.add(SOURCE)
    consumer.on_buffer_drop(SOURCE)
    assert SOURCE not in consumer._active_partitions
    consumer.resume_partitions({SOURCE})
    await _seek_and_flow(consumer)
    consumer.pause_partitions({SOURCE})
    consumer._buffered_partitions.add(SOURCE)
    consumer.on_buffer_drop(SOURCE)  # once released, as Faust does it
    assert SOURCE in consumer._active_partitions


async def test_a_failed_rewind_keeps_the_partitions_paused(consumer: Any) -> None:
    """Nothing committed on SOURCE: the rewind seeks it, and finds it unassigned."""

    async def unassigned(tp: Any, offset: int) -> None:
        raise IllegalStateError(f"No current assignment for partition {tp}")

    await _new_generation(consumer, 3)
    consumer.resume_partitions({SOURCE})
    consumer.kafka.committed[SOURCE] = None
    consumer.seek = unassigned
    await _seek_and_flow(consumer)
    assert SOURCE not in consumer._active_partitions


async def test_once_released_resumes_pass_straight_through(consumer: Any) -> None:
    await _new_generation(consumer, 3)
    consumer.resume_partitions({SOURCE, OTHER})
    await _seek_and_flow(consumer)
    consumer.pause_partitions({SOURCE})
    consumer.resume_partitions({SOURCE})
    assert SOURCE in consumer._active_partitions
