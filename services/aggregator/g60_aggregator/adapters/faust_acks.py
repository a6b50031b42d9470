"""Acks that must not move committed offsets.

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
    """On `topics`, this app's consumer records only acks of released messages (and
    `faust_seeks` guards their partitions' seeks after each rebalance)."""
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


def install_generation_ack_guard() -> None:
    """Idempotent; affects every Faust consumer in this process."""
    if getattr(Consumer, _INSTALLED, False):
        return
    faust_ack = Consumer.ack

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
