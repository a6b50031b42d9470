"""Drift between two sets of totals, per dimension value and measure (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from g60_aggregator.domain.totals import Sums, cumulative


@dataclass(frozen=True)
class Drift:
    dimension: str  # "alliance" or e.g. "enterprise_city"
    value: str  # "" for alliance
    measure: str
    month: str | None  # None: over all months
    stream: int
    source: int

    @property
    def drift(self) -> int:
        return self.stream - self.source


def _split(key: str) -> tuple[str, str]:
    dim, _, value = key.partition(":")
    return dim, value


def find_drift(stream: Sums, source: Sums, *, per_month: bool = True) -> list[Drift]:
    """Every (dimension value, measure[, month]) where the two disagree."""
    out: list[Drift] = []
    for key in sorted(stream.keys() | source.keys()):
        s_measures, d_measures = stream.get(key, {}), source.get(key, {})
        for measure in sorted(s_measures.keys() | d_measures.keys()):
            s, d = s_measures.get(measure, {}), d_measures.get(measure, {})
            months = sorted(s.keys() | d.keys()) if per_month else []
            candidates: list[tuple[str | None, int, int]] = [(None, cumulative(s), cumulative(d))]
            candidates += [(m, s.get(m, 0), d.get(m, 0)) for m in months]
            out += [
                Drift(*_split(key), measure, month, a, b) for month, a, b in candidates if a != b
            ]
    return out
