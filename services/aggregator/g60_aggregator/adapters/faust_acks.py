"""Acks that must not move committed offsets, and messages that must be read again.

All line references are to faust-streaming 0.15.3 and aiokafka as installed.

1. Acks from a previous consumer generation. After a rebalance, faust-streaming skips
the messages its streams buffered before it, and acks them on the way
(`Stream._py_aiter`, faust/streams.py:1287-1301, and its `finally` at 1338-1349: "ack
the filtered out message"). Their offsets then join the partition's acked offsets
although they were never applied, while the consumer has sought back to the committed
offset to read them again. `Consumer._new_offset` refuses to commit past a hole at the
head of the acked offsets only when the committed offset is truthy (faust/transport/
consumer.py:1139, `if committed_offset:`), and after a rebalance it is None for a
partition with nothing committed yet (a new consumer group) or committed at 0. A commit
landing then moves past offsets nobody applied; if the partition moves again before they
are read, their events are lost: version gaps, and totals short of the database.

2. Acks of messages the agent never applied, in the current generation. The same skip
also fires while flow control is suspended during a rebalance (`not
self.app.flow_control.is_active()`, streams.py:1288): a message whose `put` into a full
stream queue was waiting when Faust cleared the queues on revocation gets in after the
clearing and is skipped with an ack, although its generation is current. So on the
topics passed to `require_release`, an ack records its offset only for a message the
agent has `mark_released` after applying it. For our per-event agents that is enough for
durability: the table write (and a forwarded send) is in Faust's producer buffer, and
`Consumer._commit_offsets` flushes the producer before every non-transactional commit
(consumer.py:1073, `await self.app.producer.flush()`, which drains `Producer.buffer` and
aiokafka's accumulator, drivers/aiokafka.py:1487). Under
`processing_guarantee="exactly_once"` that flush is skipped; offsets go with the
partition's transaction (`TransactionManager.commit` -> `commit_transactions`,
drivers/aiokafka.py:1293), and a changelog write still in Faust's own buffer at that
moment may land in the next transaction. That is outside this guard (we run at_least_once;
see docs/aggregator.md).

3. Messages dropped in a rebalance must be read again. Faust drops what reaches its
callback while flow is suspended (`_drain_messages`: `wait_first(callback(message),
self.suspend_flow.wait())`, then `set_read_offset` regardless, consumer.py:1220-1223),
clears its stream queues when partitions are revoked and skips what its streams buffered
before (1. above), counting on `Consumer.perform_seek` (consumer.py:565; called after
recovery, tables/recovery.py:321 and 655, and by `getmany` while flow is suspended,
consumer.py:772) to deliver them again from the committed offsets. aiokafka's
`seek_to_committed` seeks only to a committed offset above 0
(aiokafka/consumer/consumer.py:901, `if offset and offset > 0: self._fetcher.seek_to(tp,
offset)`): a partition with nothing committed yet (a new consumer group, the first
seconds of a deployment or `replay --worker`) keeps the position its fetcher had
reached, past the dropped messages, and nobody ever applies them; the next commit then
moves past them for good. On the topics passed to `require_release`, such partitions are
sought to the beginning after `perform_seek` (what `auto_offset_reset="earliest"`
means); the per-aggregate version check skips whatever had been applied.

What a guarded ack does: the message is marked acked (so shutdowns and rebalances do not
wait for it) but its offset is not recorded. It is read again from the committed offset
in the new generation, where the version check skips it if it had in fact been applied.
Ignoring an ack can only cause a redelivery, never a loss.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any
from weakref import WeakSet

from aiokafka.errors import IllegalStateError
from faust.transport.consumer import Consumer
from faust.types.tuples import ack_lock
from mode.utils.futures import notify

log = logging.getLogger(__name__)

_INSTALLED = "_g60_generation_ack_guard"
_RELEASE_REQUIRED = "_g60_release_required_topics"  # on the app
# Messages the agent has applied. Faust messages compare by identity (and allow weak
# references), and a message read again after a seek is a new object, unreleased.
_released: WeakSet[Any] = WeakSet()


def is_stale(message: Any, current_generation: int) -> bool:
    """Messages without a generation (test transports) are never stale."""
    generation = message.generation_id
    return generation is not None and generation != current_generation


def require_release(app: Any, topics: Iterable[str]) -> None:
    """On `topics`, this app's consumer records only acks of released messages, and
    rewinds partitions with nothing committed after each rebalance."""
    setattr(app, _RELEASE_REQUIRED, release_required(app) | frozenset(topics))


def release_required(app: Any) -> frozenset[str]:
    return frozenset(getattr(app, _RELEASE_REQUIRED, frozenset()))


def mark_released(message: Any) -> None:
    """`message` has been applied (its writes are in the producer, which every
    commit flushes first): its offset may be committed once it is acked."""
    _released.add(message)


def counts(app: Any, message: Any) -> bool:
    """Whether an ack of `message` may record its offset."""
    if is_stale(message, app.consumer_generation_id):
        return False
    return message.topic not in release_required(app) or message in _released


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


def install_generation_ack_guard() -> None:
    """Idempotent; affects every Faust consumer in this process."""
    if getattr(Consumer, _INSTALLED, False):
        return
    faust_ack = Consumer.ack
    faust_perform_seek = Consumer.perform_seek

    async def perform_seek(self: Any) -> None:
        await faust_perform_seek(self)
        await rewind_uncommitted(self)

    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]

    def ack(self: Any, message: Any) -> bool:
        if counts(self.app, message):
            _released.discard(message)
            return bool(faust_ack(self, message))
        with ack_lock:
            if not message.acked:
                message.acked = True
                self._unacked_messages.discard(message)
                notify(self._waiting_for_ack)
        return False

    Consumer.ack = ack  # type: ignore[method-assign]
    setattr(Consumer, _INSTALLED, True)
