"""Exact percentiles from a histogram of whole seconds (pure)."""

from __future__ import annotations

from collections.abc import Mapping


def nearest_rank(histogram: Mapping[int, int], percentile: int) -> int | None:
    """The smallest value v with at least `percentile`% of observations <= v."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    rank = -(-percentile * total // 100)  # ceil without floats
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return max(histogram)
