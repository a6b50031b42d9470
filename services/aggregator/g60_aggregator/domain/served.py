"""Enterprises served: distinct enterprises with at least one disbursement (pure).

Distinctness needs every disbursement of one enterprise in one place, so the stream
is re-keyed by enterprise id. Per enterprise we keep, for each dimension value, the
earliest month it was served. Merging is `min` per dimension value: idempotent and
order-free, so duplicates and reordering need no version check at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from g60_aggregator.domain.totals import ENTERPRISES_ACTIVE, ENTERPRISES_SERVED, Sums

# dimension key -> earliest month served; "active|<dimension key>" -> earliest month the
# enterprise had a line or an application there (ENTERPRISES_ACTIVE). One flat map, so
# values stored before activity was counted read as they are.
ServedMonths = dict[str, str]
ACTIVE_PREFIX = "active|"


def active_key(dim: str) -> str:
    return ACTIVE_PREFIX + dim


@dataclass(frozen=True)
class ServedFact:
    enterprise_id: str
    month: str
    dims: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"enterprise_id": self.enterprise_id, "month": self.month, "dims": self.dims}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ServedFact:
        dims = data["dims"]
        assert isinstance(dims, list | tuple)
        return cls(str(data["enterprise_id"]), str(data["month"]), tuple(str(d) for d in dims))


def merge_served(months: Mapping[str, str], fact: ServedFact) -> ServedMonths:
    merged = dict(months)
    for dim in fact.dims:
        if dim not in merged or fact.month < merged[dim]:
            merged[dim] = fact.month
    return merged


def served_sums(months: Mapping[str, str]) -> Sums:
    """The enterprise's contribution: one served (or active) enterprise per dimension
    value."""
    sums: Sums = {}
    for key, month in months.items():
        if key.startswith(ACTIVE_PREFIX):
            sums.setdefault(key.removeprefix(ACTIVE_PREFIX), {})[ENTERPRISES_ACTIVE] = {month: 1}
        else:
            sums.setdefault(key, {})[ENTERPRISES_SERVED] = {month: 1}
    return sums


def served_from_disbursements(facts: Iterable[ServedFact]) -> dict[str, ServedMonths]:
    """Batch form (reconciliation, replay): enterprise id -> earliest months."""
    by_enterprise: dict[str, ServedMonths] = {}
    for fact in facts:
        by_enterprise[fact.enterprise_id] = merge_served(
            by_enterprise.get(fact.enterprise_id, {}), fact
        )
    return by_enterprise
