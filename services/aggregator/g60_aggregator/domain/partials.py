"""Per-partition partial sums, moved by deltas as aggregates change (pure).

Each worker keeps, for each source partition it owns, the sum of its aggregates'
contributions. An applied event moves it by (new contribution - old contribution),
so publishing is O(changed partitions), never a table scan; the sums are rebuilt
from the table only when a partition is (re)assigned and recovered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from g60_aggregator.domain.totals import Contribution, Sums, add_to_sums, contribution_diff


class PartialSums:
    def __init__(self) -> None:
        self._by_partition: dict[int, Sums] = {}

    def partitions(self) -> list[int]:
        return sorted(self._by_partition)

    def snapshot(self, partition: int) -> Sums:
        return self._by_partition.get(partition, {})

    def reset(self, partitions: Iterable[int]) -> None:
        self._by_partition = {p: {} for p in partitions}

    def drop(self, partition: int) -> None:
        self._by_partition.pop(partition, None)

    def add_sums(self, partition: int, sums: Mapping[str, Contribution], sign: int = 1) -> None:
        target = self._by_partition.setdefault(partition, {})
        for dim, change in sums.items():
            add_to_sums(target, (dim,), change, sign)

    def add_change(self, partition: int, dims: list[str], change: Contribution) -> None:
        add_to_sums(self._by_partition.setdefault(partition, {}), dims, change)

    def move(
        self,
        partition: int,
        old: tuple[list[str], Contribution] | None,
        new: tuple[list[str], Contribution],
    ) -> None:
        """Applies one aggregate's change from `old` (dims, contribution) to `new`."""
        target = self._by_partition.setdefault(partition, {})
        if old is not None and old[0] == new[0]:
            add_to_sums(target, new[0], contribution_diff(old[1], new[1]))
            return
        if old is not None:
            add_to_sums(target, old[0], old[1], -1)
        add_to_sums(target, new[0], new[1])
