"""Partitions that must be read again after a rebalance, from the right offset.

All line references are to faust-streaming 0.15.3 and aiokafka as installed. The topics
guarded are those passed to `faust_acks.require_release` (the agents' topics).

Messages dropped in a rebalance must be read again. Faust drops what reaches its
callback while flow is suspended (`_drain_messages`: `wait_first(callback(message),
self.suspend_flow.wait())`, then `set_read_offset` regardless, consumer.py:1220-1223),
clears its stream queues when partitions are revoked and skips what its streams buffered
before (`faust_acks` point 1), counting on `Consumer.perform_seek` (consumer.py:565;
called after recovery, tables/recovery.py:321 and 655, and by `getmany` while flow is
suspended, consumer.py:772) to deliver them again from the committed offsets. aiokafka's
`seek_to_committed` seeks only to a committed offset above 0
(aiokafka/consumer/consumer.py:901, `if offset and offset > 0: self._fetcher.seek_to(tp,
offset)`): a partition with nothing committed yet (a new consumer group, the first
seconds of a deployment or `replay --worker`) keeps the position its fetcher had
reached, past the dropped messages, and nobody ever applies them; the next commit then
moves past them for good. On the guarded topics, such partitions are sought to the
beginning after `perform_seek` (what `auto_offset_reset="earliest"` means); the
per-aggregate version check skips whatever had been applied.
"""

from __future__ import annotations

import logging
from typing import Any

from aiokafka.errors import IllegalStateError
from faust.transport.consumer import Consumer

from g60_aggregator.adapters.faust_acks import release_required

log = logging.getLogger(__name__)

_INSTALLED = "_g60_seek_guard"


def uncommitted(consumer: Any) -> list[Any]:
    """Assigned partitions of the guarded topics with no committed offset above 0:
    after `Consumer.perform_seek`, `_committed_offset` holds what the broker had
    committed (None for nothing or 0, consumer.py:575-580)."""
    topics = release_required(consumer.app)
    return sorted(
        tp
        for tp in consumer.assignment()
        if tp.topic in topics and not consumer._committed_offset.get(tp)
    )


async def rewind_uncommitted(consumer: Any) -> None:
    """Seeks the `uncommitted` partitions to their earliest offsets.

    A seek to an explicit offset, not aiokafka's `seek_to_beginning`: that one leaves
    the partition awaiting an offset reset, its position None, and Faust's livelock
    detector (`verify_event_path`, drivers/aiokafka.py:845, `tp_state.position`) then
    crashes the consumer on aiokafka's `assert self._position is not None`."""
    tps = uncommitted(consumer)
    if not tps:
        return
    try:
        earliest = await consumer.earliest_offsets(*tps)
        for tp in tps:
            # Faust's `Consumer.seek` (consumer.py:587) also resets the read offset as
            # `perform_seek` does, so `_drain_messages` accepts the earlier offsets.
            await consumer.seek(tp, earliest[tp])
    except IllegalStateError:  # unassigned meanwhile: a rebalance is under way, and
        return  # its own seek after the assignment comes through here again
    log.info("no committed offset: reading %s from the beginning", tps)


def install_seek_guard() -> None:
    """Idempotent; affects every Faust consumer in this process."""
    if getattr(Consumer, _INSTALLED, False):
        return
    faust_perform_seek = Consumer.perform_seek

    async def perform_seek(self: Any) -> None:
        await faust_perform_seek(self)
        await rewind_uncommitted(self)

    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
    setattr(Consumer, _INSTALLED, True)
