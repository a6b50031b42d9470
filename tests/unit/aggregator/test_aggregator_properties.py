"""Property tests: incremental per-partition sums equal a full recomputation, and
redelivery of any events changes nothing."""

from __future__ import annotations

import random
import zlib

from g60.events.v1 import envelope_pb2
from g60_aggregator.adapters.appliers import LineApplier, ServedApplier
from g60_aggregator.adapters.decoding import to_fact
from g60_aggregator.domain.fold import TotalsFold
from g60_aggregator.domain.partials import PartialSums
from g60_aggregator.domain.quantiles import nearest_rank
from g60_aggregator.domain.totals import Sums, merge_sums
from g60_aggregator.synthetic import SyntheticHistory
from hypothesis import given, settings
from hypothesis import strategies as st

PARTITIONS = 6


def _partition(key: str) -> int:
    return zlib.crc32(key.encode()) % PARTITIONS


def _stream_sums(raws: list[tuple[str, bytes]]) -> tuple[Sums, LineApplier, ServedApplier]:
    """Runs the appliers as the workers do, with plain dicts standing in for tables."""
    lines = LineApplier({}, PartialSums())
    served = ServedApplier({}, PartialSums())
    for key, raw in raws:
        forward = lines.apply(raw, _partition(key))
        if forward is not None:
            served.apply(forward, _partition(forward.enterprise_id))
    parts = [lines.partials.snapshot(p) for p in lines.partials.partitions()]
    parts += [served.partials.snapshot(p) for p in served.partials.partitions()]
    return merge_sums(parts), lines, served


def _oracle(history: list[envelope_pb2.EventEnvelope]) -> Sums:
    fold = TotalsFold()
    for e in history:
        fold.apply(e.aggregate_id, e.aggregate_version, to_fact(e))
    return fold.sums()


def _nonzero(sums: Sums) -> dict[tuple[str, str, str], int]:
    return {
        (dim, m, month): v
        for dim, by_m in sums.items()
        for m, by_month in by_m.items()
        for month, v in by_month.items()
        if v
    }


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32), size=st.integers(1, 400), dup_pct=st.integers(0, 30))
def test_incremental_partials_with_redelivery_equal_full_recomputation(
    seed: int, size: int, dup_pct: int
) -> None:
    history = SyntheticHistory(seed, banks=4, enterprises=20).events(size)
    raws = [(e.aggregate_id, e.SerializeToString()) for e in history]
    rng = random.Random(seed)
    # Redeliver some events again later in the stream (what a crash or an aborted
    # relay transaction looks like): each copy lands after its original.
    for _ in range(len(raws) * dup_pct // 100):
        i = rng.randrange(len(raws))
        raws.insert(rng.randint(i + 1, len(raws)), raws[i])
    sums, _, _ = _stream_sums(raws)
    assert _nonzero(sums) == _nonzero(_oracle(history))


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32), lost_pct=st.integers(1, 100))
def test_forwards_lost_in_a_crash_come_back_with_the_redelivery(seed: int, lost_pct: int) -> None:
    """A worker that wrote its table and crashed before forwarding loses the enterprise
    fact (served, or active in new cells); the redelivered events, now duplicates, must
    forward it again, or enterprises would go uncounted for good."""
    history = SyntheticHistory(seed, banks=4, enterprises=20).events(200)
    rng = random.Random(seed)
    lines, served = LineApplier({}, PartialSums()), ServedApplier({}, PartialSums())
    for e in history:
        forward = lines.apply(e.SerializeToString(), _partition(e.aggregate_id))
        if forward is not None and rng.randrange(100) >= lost_pct:
            served.apply(forward, _partition(forward.enterprise_id))
    for e in history:  # redelivered from the last committed offset: here, all of it
        forward = lines.apply(e.SerializeToString(), _partition(e.aggregate_id))
        if forward is not None:
            served.apply(forward, _partition(forward.enterprise_id))
    parts = [lines.partials.snapshot(p) for p in lines.partials.partitions()]
    parts += [served.partials.snapshot(p) for p in served.partials.partitions()]
    assert _nonzero(merge_sums(parts)) == _nonzero(_oracle(history))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32))
def test_rebuild_from_tables_equals_incremental(seed: int) -> None:
    history = SyntheticHistory(seed, banks=3, enterprises=10).events(200)
    raws = [(e.aggregate_id, e.SerializeToString()) for e in history]
    sums, lines, served = _stream_sums(raws)
    lines.rebuild(list(lines.table.values()), range(PARTITIONS))
    served.rebuild(list(served.table.values()), range(PARTITIONS))
    parts = [lines.partials.snapshot(p) for p in range(PARTITIONS)]
    parts += [served.partials.snapshot(p) for p in range(PARTITIONS)]
    assert _nonzero(merge_sums(parts)) == _nonzero(sums)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32), kept=st.sets(st.integers(0, PARTITIONS - 1)))
def test_rebuild_keeps_only_the_partitions_still_owned(seed: int, kept: set[int]) -> None:
    """After a rebalance the memory store may still hold keys of partitions that moved
    to another worker; publishing their partials too would count them twice."""
    history = SyntheticHistory(seed, banks=3, enterprises=10).events(200)
    raws = [(e.aggregate_id, e.SerializeToString()) for e in history]
    _, lines, served = _stream_sums(raws)
    expected = {p: lines.partials.snapshot(p) for p in kept}
    lines.rebuild(list(lines.table.values()), kept)
    served.rebuild(list(served.table.values()), kept)
    assert set(lines.partials.partitions()) == kept
    assert set(served.partials.partitions()) == kept
    rebuilt = {p: _nonzero(lines.partials.snapshot(p)) for p in kept}
    assert rebuilt == {p: _nonzero(sums) for p, sums in expected.items()}


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=200), st.integers(1, 100))
def test_nearest_rank_matches_the_sorted_list(values: list[int], pct: int) -> None:
    histogram: dict[int, int] = {}
    for v in values:
        histogram[v] = histogram.get(v, 0) + 1
    ordered = sorted(values)
    assert nearest_rank(histogram, pct) == ordered[-(-pct * len(values) // 100) - 1]
