"""Cumulative totals as pure arithmetic over integers (fen and counts).

Every measure is kept as *changes per business month*: the value "as of month M" is
the sum of the changes in months <= M. Flows (credit granted, disbursed) only ever add;
stock measures (active limit) add the difference between the new and the old state.
One representation therefore serves monthly figures and "as of month M" views alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

# Money measures end in _fen; counts have no unit suffix.
CREDIT_GRANTED = "credit_granted_fen"
DISBURSED = "financing_disbursed_fen"
REPAID = "principal_repaid_fen"
ACTIVE_LIMIT = "active_limit_fen"
CREDIT_LINES = "credit_lines"
ACTIVE_LINES = "active_credit_lines"
DISBURSEMENTS = "disbursements"
APPS_SUBMITTED = "applications_submitted"
APPS_APPROVED = "applications_approved"
APPS_REJECTED = "applications_rejected"
APPS_WITHDRAWN = "applications_withdrawn"
ENTERPRISES_SERVED = "enterprises_served"
# Time to first disbursement is a histogram: measure "ttfd_s:<seconds>" counts events.
TTFD_PREFIX = "ttfd_s:"

MONEY_MEASURES = (CREDIT_GRANTED, DISBURSED, REPAID, ACTIVE_LIMIT)
COUNT_MEASURES = (
    CREDIT_LINES,
    ACTIVE_LINES,
    DISBURSEMENTS,
    APPS_SUBMITTED,
    APPS_APPROVED,
    APPS_REJECTED,
    APPS_WITHDRAWN,
    ENTERPRISES_SERVED,
)

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
    enterprise_id: str = ""


def dimension_keys(parties: Parties) -> list[str]:
    """Every dimension value an event is attributed to. Empty values (a matchmaking
    application has no bank yet) are not attributed rather than lumped under ""."""
    values = (
        parties.enterprise_city,
        parties.bank_city,
        parties.bank_id,
        parties.bank_type,
        parties.industry,
        parties.size_class,
    )
    return [
        ALLIANCE,
        *(f"{dim}:{value}" for dim, value in zip(DIMENSIONS, values, strict=True) if value),
    ]


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


# measure -> month -> amount
Contribution = dict[str, dict[str, int]]
# dimension key -> measure -> month -> amount
Sums = dict[str, Contribution]


def add_contribution(
    target: Contribution, source: Mapping[str, Mapping[str, int]], sign: int
) -> None:
    for measure, by_month in source.items():
        into = target.setdefault(measure, {})
        for month, amount in by_month.items():
            into[month] = into.get(month, 0) + sign * amount


def add_to_sums(
    sums: Sums, dims: Iterable[str], change: Mapping[str, Mapping[str, int]], sign: int = 1
) -> None:
    """Adds one aggregate's change to each dimension it is attributed to."""
    for dim in dims:
        add_contribution(sums.setdefault(dim, {}), change, sign)


def contribution_diff(old: Contribution, new: Contribution) -> Contribution:
    """new - old, keeping only the non-zero changes (usually one measure, one month)."""
    diff: Contribution = {}
    for measure in old.keys() | new.keys():
        before, after = old.get(measure, {}), new.get(measure, {})
        for month in before.keys() | after.keys():
            delta = after.get(month, 0) - before.get(month, 0)
            if delta:
                diff.setdefault(measure, {})[month] = delta
    return diff


def merge_sums(parts: Iterable[Mapping[str, Contribution]]) -> Sums:
    merged: Sums = {}
    for part in parts:
        for dim, by_measure in part.items():
            add_contribution(merged.setdefault(dim, {}), by_measure, 1)
    return merged


def cumulative(by_month: Mapping[str, int], as_of_month: str | None = None) -> int:
    """Total over months up to and including `as_of_month` (all when None)."""
    return sum(
        fen for month, fen in by_month.items() if as_of_month is None or month <= as_of_month
    )


def total_of(by_month: Mapping[str, int]) -> int:
    return sum(by_month.values())
