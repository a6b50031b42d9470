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
    month: str  # of the served keys
    dims: tuple[str, ...]
    # Of the active keys: the aggregate's first month, where its figures in the cell start.
    active_month: str | None = None

    def month_of(self, key: str) -> str:
        if self.active_month is not None and key.startswith(ACTIVE_PREFIX):
            return self.active_month
        return self.month

    def to_json(self) -> dict[str, object]:
        body: dict[str, object] = {
            "enterprise_id": self.enterprise_id,
            "month": self.month,
            "dims": self.dims,
        }
        if self.active_month is not None:
            body["active_month"] = self.active_month
        return body

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ServedFact:
        dims = data["dims"]
        assert isinstance(dims, list | tuple)
        active = data.get("active_month")
        return cls(
            str(data["enterprise_id"]),
            str(data["month"]),
            tuple(str(d) for d in dims),
            str(active) if active is not None else None,
        )


def merge_served(months: Mapping[str, str], fact: ServedFact) -> ServedMonths:
    merged = dict(months)
    for dim in fact.dims:
        month = fact.month_of(dim)
        if dim not in merged or month < merged[dim]:
            merged[dim] = month
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
