"""Apply events to the changelog-backed tables and move the in-memory partial sums.

Both appliers are synchronous between reading the table and writing it (no await),
so within a worker nothing interleaves; across workers a key lives on one partition,
which one worker owns at a time."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, MutableMapping
from typing import Any

from g60common.events import decode_envelope

from g60_aggregator.adapters import metrics
from g60_aggregator.adapters.decoding import TOTALLED_AGGREGATES, to_fact
from g60_aggregator.domain.credit_events import (
    BANK_DECISIONS,
    AggregateState,
    apply_fact,
    should_forward_activity,
    should_forward_served,
)
from g60_aggregator.domain.fold import enterprise_fact
from g60_aggregator.domain.partials import PartialSums
from g60_aggregator.domain.served import ServedFact, merge_served, served_sums
from g60_aggregator.domain.totals import VersionCheck, check_version

log = logging.getLogger(__name__)

PARTITION = "partition"  # stored with each value so partials can be rebuilt per partition


def _dump(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _in_partitions(partitions: Iterable[int]) -> Callable[[dict[str, Any]], bool]:
    owned = set(partitions)
    return lambda value: int(value[PARTITION]) in owned


class LineApplier:
    """Credit events -> per-aggregate state (version + contribution in one value)."""

    def __init__(self, table: MutableMapping[str, Any], partials: PartialSums) -> None:
        self.table = table
        self.partials = partials
        self.dirty: set[int] = set()

    def apply(self, raw: bytes, partition: int) -> ServedFact | None:
        """Returns the enterprise fact to forward (served and/or active), if any."""
        envelope = decode_envelope(raw)
        if envelope.aggregate_type not in TOTALLED_AGGREGATES:
            metrics.EVENTS_IGNORED.inc()
            return None
        stored = self.table.get(envelope.aggregate_id)
        previous = AggregateState.from_json(json.loads(stored)) if stored else None
        outcome = check_version(previous.version if previous else 0, envelope.aggregate_version)
        if outcome is VersionCheck.DUPLICATE:
            metrics.DUPLICATES_SKIPPED.inc()
            return self._reforward(previous, envelope)
        if outcome is VersionCheck.GAP:
            metrics.VERSION_GAPS.inc()
            log.warning(
                "version gap on %s: had %s, got %s",
                envelope.aggregate_id,
                previous.version if previous else 0,
                envelope.aggregate_version,
            )
        fact = to_fact(envelope)
        if fact is None:
            # An event type totals do not use still takes a version: record it, or the
            # aggregate's next event would look like a gap (the fold does the same).
            metrics.EVENTS_IGNORED.inc()
            if previous is not None:
                previous.version = envelope.aggregate_version
                self.table[envelope.aggregate_id] = _dump(
                    {**previous.to_json(), PARTITION: partition}
                )
            return None
        new = apply_fact(previous, fact)
        served = should_forward_served(previous, fact) and bool(fact.parties.enterprise_id)
        if served:
            new.served_month = fact.month
        # One table write carries both the new version and the new contribution.
        self.table[envelope.aggregate_id] = _dump({**new.to_json(), PARTITION: partition})
        if previous is not None and previous.dims == new.dims:
            self.partials.add_change(partition, new.dims, new.change)
        else:
            old = (previous.dims, previous.contribution) if previous else None
            self.partials.move(partition, old, (new.dims, new.contribution))
        self.dirty.add(partition)
        metrics.EVENTS_APPLIED.inc()
        active = should_forward_activity(previous, new)
        return enterprise_fact(fact, new, served=served, active=active)

    @staticmethod
    def _reforward(previous: AggregateState | None, envelope: Any) -> ServedFact | None:
        """A redelivered event that may have forwarded (a disbursement, an aggregate's
        first event, a bank's decision) forwards again: after a crash between the table
        write and the forward, this is the only copy. Downstream merging is idempotent,
        so an extra forward is harmless."""
        if previous is None:
            return None
        served = envelope.event_type == "FundsDisbursed"
        active = envelope.aggregate_version == 1 or envelope.event_type in BANK_DECISIONS
        if not (served or active):
            return None
        fact = to_fact(envelope)
        if fact is None:
            return None
        return enterprise_fact(fact, previous, served=served, active=active)

    def rebuild(self, values: Iterable[bytes], partitions: Iterable[int]) -> None:
        """Partials of the owned partitions from the table. The memory store may still
        hold keys of partitions that moved away; they are not ours to publish."""
        self.partials.reset(partitions)
        owned = _in_partitions(self.partials.partitions())
        for value in filter(owned, map(json.loads, values)):
            state = AggregateState.from_json(value)
            self.partials.move(int(value[PARTITION]), None, (state.dims, state.contribution))
        self.dirty.update(self.partials.partitions())


class ServedApplier:
    """Served facts (keyed by enterprise) -> earliest month served per dimension value."""

    def __init__(self, table: MutableMapping[str, Any], partials: PartialSums) -> None:
        self.table = table
        self.partials = partials
        self.dirty: set[int] = set()

    def apply(self, fact: ServedFact, partition: int) -> None:
        stored = self.table.get(fact.enterprise_id)
        before: dict[str, str] = dict(json.loads(stored)["months"]) if stored else {}
        after = merge_served(before, fact)
        if after == before:
            return  # nothing earlier or new: a duplicate or a later disbursement
        self.table[fact.enterprise_id] = _dump({"months": after, PARTITION: partition})
        self.partials.add_sums(partition, served_sums(before), -1)
        self.partials.add_sums(partition, served_sums(after))
        self.dirty.add(partition)

    def rebuild(self, values: Iterable[bytes], partitions: Iterable[int]) -> None:
        self.partials.reset(partitions)
        owned = _in_partitions(self.partials.partitions())
        for value in filter(owned, map(json.loads, values)):
            self.partials.add_sums(int(value[PARTITION]), served_sums(value["months"]))
        self.dirty.update(self.partials.partitions())
