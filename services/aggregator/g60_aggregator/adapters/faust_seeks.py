"""Partitions that must be read again after a rebalance, from the right offset.

All line references are to faust-streaming 0.15.3 and aiokafka as installed. The topics
guarded are those passed to `faust_acks.require_release` (the agents' topics).

1. Messages dropped in a rebalance must be read again. Faust drops what reaches its
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

2. No message may be delivered in a generation before that generation's seek, nor before
Faust clears its stream queues for the last time in the rebalance. At the end of
recovery Faust resumes the stream partitions, then seeks them, then resumes flow
(`consumer.resume_partitions`, `await consumer.perform_seek()`,
`app.flow_control.resume()`, `consumer.resume_flow()`: tables/recovery.py:649-660, and
`_resume_streams`, 316-329). Two things go wrong in between:
- A partition this worker keeps across a rebalance still has Faust's read offset from
  the previous generation (`Consumer._read_offset`; only revoked partitions lose theirs,
  consumer.py:661). aiokafka starts every partition of a new assignment at its committed
  offset (a new `Assignment` per rebalance, aiokafka/consumer/subscription_state.py:383),
  and until the seek Faust's fetcher drops every message below that stale read offset
  (consumer.py:1209, `if r_offset is None or offset >= r_offset`; the queues were
  cleared on revocation, so those messages were never applied) and delivers the ones
  above it.
- `flow_control.resume()` clears the stream queues (mode/utils/queues.py:97-101; the
  channels' queues are `clear_on_resume=True`, faust/channels.py:145): whatever was
  delivered into them since the partitions were resumed is dropped without an ack,
  while the read offset has already moved past it, so it is not delivered again in this
  generation.
On the credit topic, newer versions of an aggregate were then applied before older ones,
which were later skipped as duplicates or never seen: version gaps. On the served topic
order does not matter, but a dropped message stays unapplied, and Faust's commit can
move past it: `_new_offset` tolerates one missing offset at the head of the acked ones
(`min(acked) - committed_offset > 1`, consumer.py:1139-1140) and any number when
nothing is committed yet (`faust_acks` point 1). That lost a served fact: an enterprise
counted under one bank short, with no version gap to show it. So on the guarded topics:
- a new assignment forgets the read offsets of the previous generation;
- `resume_partitions` (and Faust's resume on buffer pressure, `on_buffer_drop`) leaves
  guarded partitions paused; once `perform_seek` and the rewind of point 1 have completed
  in the current generation, the next `resume_flow` (which Faust calls right after
  clearing the queues) resumes the ones Faust asked to resume. Nothing of theirs is
  fetched before that, and every message delivered afterwards comes from the position
  the seek set, in offset order, into queues nobody clears until the next rebalance.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from aiokafka.errors import IllegalStateError
from faust.transport.consumer import Consumer

from g60_aggregator.adapters.faust_acks import release_required

log = logging.getLogger(__name__)

_INSTALLED = "_g60_seek_guard"
_GATE = "_g60_seek_gate"  # on each consumer


@dataclass
class SeekGate:
    """Per consumer (point 2): the generation whose seek is done, the generation whose
    held partitions were resumed, and the guarded partitions Faust asked to resume
    before then."""

    sought_generation: int | None = None
    released_generation: int | None = None
    waiting_generation: int | None = None
    waiting: set[Any] = field(default_factory=set)


def gate_of(consumer: Any) -> SeekGate:
    gate = getattr(consumer, _GATE, None)
    if gate is None:
        gate = SeekGate()
        setattr(consumer, _GATE, gate)
    return gate


def guarded(consumer: Any, tps: Iterable[Any]) -> set[Any]:
    topics = release_required(consumer.app)
    return {tp for tp in tps if tp.topic in topics}


def held(consumer: Any, tps: Iterable[Any]) -> set[Any]:
    """The guarded partitions among `tps` that stay paused: this generation has not
    yet released them (`release`)."""
    if gate_of(consumer).released_generation == consumer.app.consumer_generation_id:
        return set()
    return guarded(consumer, tps)


def defer_resume(consumer: Any, tps: Iterable[Any]) -> set[Any]:
    """The partitions among `tps` to resume now; the held ones wait for `release`."""
    wanted = set(tps)
    hold = held(consumer, wanted)
    if hold:
        gate, generation = gate_of(consumer), consumer.app.consumer_generation_id
        if gate.waiting_generation != generation:
            gate.waiting, gate.waiting_generation = set(), generation
        gate.waiting |= hold
    return wanted - hold


def cancel_resume(consumer: Any, tps: Iterable[Any]) -> None:
    """Faust paused `tps` again: `release` must not resume them."""
    gate_of(consumer).waiting.difference_update(tps)


def seek_done(consumer: Any, generation: int) -> None:
    gate_of(consumer).sought_generation = generation


def release(consumer: Any) -> set[Any]:
    """Called once Faust has resumed flow (and so cleared its stream queues): the held
    partitions to resume now, if this generation's seek is done and Faust asked to
    resume some. Until then a resume of flow (as when recovery starts reading the
    changelogs) releases nothing."""
    gate, generation = gate_of(consumer), consumer.app.consumer_generation_id
    asked = bool(gate.waiting) and gate.waiting_generation == generation
    if not asked:
        return set()
    if gate.sought_generation != generation:
        # The seek failed (the assignment changed under it): the next rebalance seeks
        # and releases them; should none come, the partitions stall, visibly.
        log.warning("no seek in generation %s: %s stay paused", generation, sorted(gate.waiting))
        return set()
    waiting, gate.waiting = gate.waiting, set()
    gate.released_generation = generation
    return waiting & set(consumer.assignment())


def forget_read_offsets(consumer: Any, assigned: Iterable[Any]) -> None:
    for tp in guarded(consumer, assigned):
        consumer._read_offset.pop(tp, None)


def uncommitted(consumer: Any) -> list[Any]:
    """Assigned partitions of the guarded topics with no committed offset above 0:
    after `Consumer.perform_seek`, `_committed_offset` holds what the broker had
    committed (None for nothing or 0, consumer.py:575-580)."""
    assigned = guarded(consumer, consumer.assignment())
    return sorted(tp for tp in assigned if not consumer._committed_offset.get(tp))


async def rewind_uncommitted(consumer: Any) -> bool:
    """Seeks the `uncommitted` partitions to their earliest offsets; False if the
    assignment changed meanwhile.

    A seek to an explicit offset, not aiokafka's `seek_to_beginning`: that one leaves
    the partition awaiting an offset reset, its position None, and Faust's livelock
    detector (`verify_event_path`, drivers/aiokafka.py:845, `tp_state.position`) then
    crashes the consumer on aiokafka's `assert self._position is not None`."""
    tps = uncommitted(consumer)
    if not tps:
        return True
    try:
        earliest = await consumer.earliest_offsets(*tps)
        for tp in tps:
            # Faust's `Consumer.seek` (consumer.py:587) also resets the read offset as
            # `perform_seek` does, so `_drain_messages` accepts the earlier offsets.
            await consumer.seek(tp, earliest[tp])
    except IllegalStateError:  # unassigned meanwhile: a rebalance is under way, and
        return False  # its own seek after the assignment comes through here again
    log.info("no committed offset: reading %s from the beginning", tps)
    return True


def install_seek_guard() -> None:
    """Idempotent; affects every Faust consumer in this process."""
    if getattr(Consumer, _INSTALLED, False):
        return
    faust_perform_seek = Consumer.perform_seek
    faust_resume = Consumer.resume_partitions
    faust_pause = Consumer.pause_partitions
    faust_buffer_drop = Consumer.on_buffer_drop
    faust_assigned = Consumer.on_partitions_assigned
    faust_resume_flow = Consumer.resume_flow

    async def perform_seek(self: Any) -> None:
        generation = self.app.consumer_generation_id
        await faust_perform_seek(self)
        rewound = await rewind_uncommitted(self)
        if rewound and self.app.consumer_generation_id == generation:
            seek_done(self, generation)

    def resume_flow(self: Any) -> None:
        # Faust resumes flow right after `flow_control.resume()`, which clears the
        # stream queues (tables/recovery.py:659-660 and 328-329).
        faust_resume_flow(self)
        resumed = release(self)
        if resumed:
            faust_resume(self, resumed)
            log.info("sought and flowing: resuming %s", sorted(resumed))

    def resume_partitions(self: Any, tps: Iterable[Any]) -> None:
        faust_resume(self, defer_resume(self, tps))

    def pause_partitions(self: Any, tps: Iterable[Any]) -> None:
        tps = set(tps)
        cancel_resume(self, tps)
        faust_pause(self, tps)

    def on_buffer_drop(self: Any, tp: Any) -> None:
        if not held(self, [tp]):
            faust_buffer_drop(self, tp)

    async def on_partitions_assigned(self: Any, assigned: Any, generation_id: int = 0) -> None:
        forget_read_offsets(self, assigned)
        await faust_assigned(self, assigned, generation_id)

    Consumer.perform_seek = perform_seek  # type: ignore[method-assign]
    Consumer.resume_partitions = resume_partitions  # type: ignore[method-assign]
    Consumer.pause_partitions = pause_partitions  # type: ignore[method-assign]
    Consumer.on_buffer_drop = on_buffer_drop  # type: ignore[method-assign]
    Consumer.on_partitions_assigned = on_partitions_assigned  # type: ignore[method-assign]
    Consumer.resume_flow = resume_flow  # type: ignore[method-assign]
    setattr(Consumer, _INSTALLED, True)
