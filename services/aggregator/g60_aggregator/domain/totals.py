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
# Loans that fell overdue (逾期) in the month, and the principal outstanding when marked.
LOANS_OVERDUE = "loans_overdue"
OVERDUE_PRINCIPAL = "principal_overdue_fen"
# The overdue balance (逾期余额): principal outstanding on loans marked overdue. Up by
# the outstanding when a loan is marked, down by what is repaid or compensated after:
# "as of month M" is the balance at the end of M.
OVERDUE_BALANCE = "principal_overdue_outstanding_fen"
# Principal the guarantee companies paid the banks for overdue loans (代偿额); it is
# counted in REPAID too, being principal repaid to the bank.
COMPENSATED = "principal_compensated_fen"
# The non-performing balance (不良贷款余额): principal outstanding on loans classified
# SUBSTANDARD, DOUBTFUL or LOSS. Up by the outstanding when a loan moves from a
# performing class into one of those, down by what is repaid or compensated after.
NPL_BALANCE = "principal_nonperforming_fen"
# Loans that became non-performing, by the month they did (once per loan: classes only
# ever get worse).
LOANS_NPL = "loans_nonperforming"
ENTERPRISES_SERVED = "enterprises_served"
# Distinct enterprises with a credit line or an application (served by the same re-keyed
# stream as ENTERPRISES_SERVED): how many enterprises a cell's figures come from.
ENTERPRISES_ACTIVE = "enterprises_with_activity"
# Time to first disbursement is a histogram: measure "ttfd_s:<seconds>" counts events.
TTFD_PREFIX = "ttfd_s:"

MONEY_MEASURES = (
    CREDIT_GRANTED,
    DISBURSED,
    REPAID,
    ACTIVE_LIMIT,
    OVERDUE_PRINCIPAL,
    OVERDUE_BALANCE,
    COMPENSATED,
    NPL_BALANCE,
)
COUNT_MEASURES = (
    CREDIT_LINES,
    ACTIVE_LINES,
    DISBURSEMENTS,
    APPS_SUBMITTED,
    APPS_APPROVED,
    APPS_REJECTED,
    APPS_WITHDRAWN,
    LOANS_OVERDUE,
    LOANS_NPL,
    ENTERPRISES_SERVED,
    ENTERPRISES_ACTIVE,
)

ALLIANCE = "alliance"
BANK = "bank"  # the per-bank rows: each bank's own book
DIMENSIONS = (
    "enterprise_city",
    "bank_city",
    BANK,
    "institution_type",
    "industry",
    "enterprise_size",
)
# Everything but the per-bank rows is published (docs/aggregator.md, "Small cells").
PUBLIC_DIMENSIONS = tuple(d for d in DIMENSIONS if d != BANK)

# One bank's share of one public cell: "bank_share:<dimension>:<value>|<bank id>". It
# carries only the presence measures, so the totals view can count the distinct banks
# behind a cell (a city with a single member bank would publish that bank's book).
BANK_SHARE = "bank_share"
# Every line begins with CreditLineRegistered and every application with
# FinancingApplied, so these two count each of a bank's aggregates exactly once.
PRESENCE_MEASURES = (CREDIT_LINES, APPS_SUBMITTED)


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
    keys = [
        ALLIANCE,
        *(f"{dim}:{value}" for dim, value in zip(DIMENSIONS, values, strict=True) if value),
    ]
    if parties.bank_id:
        keys += [
            bank_share_key(key, parties.bank_id)
            for key in keys[1:]
            if key.partition(":")[0] in PUBLIC_DIMENSIONS
        ]
    return keys


def bank_share_key(cell: str, bank_id: str) -> str:
    return f"{BANK_SHARE}:{cell}|{bank_id}"


def is_bank_share(key: str) -> bool:
    return key.startswith(BANK_SHARE + ":")


def published_keys(dims: Iterable[str]) -> tuple[str, ...]:
    """`dims` without the bank-share keys, which only the totals view reads."""
    return tuple(d for d in dims if not is_bank_share(d))


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
    """Adds one aggregate's change to each dimension it is attributed to; a bank-share
    key gets the presence measures only."""
    presence: Mapping[str, Mapping[str, int]] | None = None
    for dim in dims:
        if is_bank_share(dim):
            if presence is None:
                presence = {m: change[m] for m in PRESENCE_MEASURES if m in change}
            if presence:
                add_contribution(sums.setdefault(dim, {}), presence, sign)
        else:
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
