"""Acks from a previous consumer generation must not move committed offsets.

After a rebalance, faust-streaming (0.15.3) skips the messages its streams buffered
before it, and acks them on the way (`Stream.__aiter__`: "ack the filtered out
message"). Their offsets then join the partition's acked offsets although they were
never applied, while the consumer has sought back to the committed offset to read them
again. `Consumer._new_offset` refuses to commit past a hole at the head of the acked
offsets only when the committed offset is truthy (`if committed_offset:`), and after a
rebalance it is None for a partition with nothing committed yet (a new consumer group)
or committed at 0. A commit landing then moves past offsets nobody applied; if the
partition moves again before they are read, their events are lost: version gaps, and
totals short of the database.

The guard: a message of an older generation is marked acked (so shutdowns and
rebalances do not wait for it) but its offset is not recorded. The message is read
again from the committed offset in the new generation, where the per-aggregate version
check skips it if it had in fact been applied. Ignoring an ack can only cause a
redelivery, never a loss.
"""

from __future__ import annotations

from typing import Any

from faust.transport.consumer import Consumer
from faust.types.tuples import ack_lock
from mode.utils.futures import notify

_INSTALLED = "_g60_generation_ack_guard"


def is_stale(message: Any, current_generation: int) -> bool:
    """Messages without a generation (test transports) are never stale."""
    generation = message.generation_id
    return generation is not None and generation != current_generation


def install_generation_ack_guard() -> None:
    """Idempotent; affects every Faust consumer in this process."""
    if getattr(Consumer, _INSTALLED, False):
        return
    faust_ack = Consumer.ack

    def ack(self: Any, message: Any) -> bool:
        if not is_stale(message, self.app.consumer_generation_id):
            return bool(faust_ack(self, message))
        with ack_lock:
            if not message.acked:
                message.acked = True
                self._unacked_messages.discard(message)
                notify(self._waiting_for_ack)
        return False

    Consumer.ack = ack  # type: ignore[method-assign]
    setattr(Consumer, _INSTALLED, True)
