"""Cumulative totals as pure arithmetic over integer fen.

Each aggregate (credit line) keeps its own contribution to the totals and the last
version applied. Applying an event replaces the aggregate's contribution, so the
version check and the update are one write: an event is applied at most once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum

CREDIT_GRANTED = "credit_granted_fen"
MEASURES = (CREDIT_GRANTED,)

ALLIANCE = "alliance"
DIMENSIONS = (
    "enterprise_city",
    "bank_city",
    "bank",
    "institution_type",
    "industry",
    "enterprise_size",
)


@dataclass(frozen=True)
class Parties:
    bank_id: str
    bank_city: str
    bank_type: str
    enterprise_city: str
    industry: str
    size_class: str


def dimension_keys(parties: Parties) -> list[str]:
    """Every dimension value a credit event is attributed to."""
    values = (
        parties.enterprise_city,
        parties.bank_city,
        parties.bank_id,
        parties.bank_type,
        parties.industry,
        parties.size_class,
    )
    return [ALLIANCE, *(f"{dim}:{value}" for dim, value in zip(DIMENSIONS, values, strict=True))]


@dataclass
class AggregateState:
    """One aggregate's contribution: measure -> month -> fen, attributed to `dims`."""

    version: int
    dims: list[str]
    contribution: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, measure: str, month: str, fen: int) -> None:
        by_month = self.contribution.setdefault(measure, {})
        by_month[month] = by_month.get(month, 0) + fen

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "dims": self.dims, "contribution": self.contribution}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> AggregateState:
        return cls(
            version=int(data["version"]),  # type: ignore[call-overload]
            dims=list(data["dims"]),  # type: ignore[call-overload]
            contribution={k: dict(v) for k, v in data["contribution"].items()},  # type: ignore[attr-defined]
        )


class VersionCheck(Enum):
    APPLY = "apply"
    DUPLICATE = "duplicate"
    GAP = "gap"


def check_version(last_applied: int, incoming: int) -> VersionCheck:
    """Old or repeated versions are skipped; a jump is applied but reported as a gap."""
    if incoming <= last_applied:
        return VersionCheck.DUPLICATE
    if incoming > last_applied + 1:
        return VersionCheck.GAP
    return VersionCheck.APPLY


# Sums: dim -> measure -> month -> fen
Sums = dict[str, dict[str, dict[str, int]]]


def sum_contributions(states: Iterable[AggregateState]) -> Sums:
    sums: Sums = {}
    for state in states:
        for dim in state.dims:
            by_measure = sums.setdefault(dim, {})
            for measure, by_month in state.contribution.items():
                target = by_measure.setdefault(measure, {})
                for month, fen in by_month.items():
                    target[month] = target.get(month, 0) + fen
    return sums


def merge_sums(parts: Iterable[Sums]) -> Sums:
    merged: Sums = {}
    for part in parts:
        for dim, by_measure in part.items():
            for measure, by_month in by_measure.items():
                target = merged.setdefault(dim, {}).setdefault(measure, {})
                for month, fen in by_month.items():
                    target[month] = target.get(month, 0) + fen
    return merged


def cumulative(by_month: Mapping[str, int], as_of_month: str | None = None) -> int:
    """Total over months up to and including `as_of_month` (all when None)."""
    return sum(
        fen for month, fen in by_month.items() if as_of_month is None or month <= as_of_month
    )
