"""How each credit event changes an aggregate's contribution to the totals (pure).

An aggregate is a credit line or a financing application. Its state holds the last
version applied and its whole contribution, so "check the version" and "replace the
contribution" are one write of one value: an event is applied at most once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from g60_aggregator.domain.totals import (
    ACTIVE_LIMIT,
    ACTIVE_LINES,
    APPS_APPROVED,
    APPS_REJECTED,
    APPS_SUBMITTED,
    APPS_WITHDRAWN,
    COMPENSATED,
    CREDIT_GRANTED,
    CREDIT_LINES,
    DISBURSED,
    DISBURSEMENTS,
    LOANS_NPL,
    LOANS_OVERDUE,
    NPL_BALANCE,
    OVERDUE_BALANCE,
    OVERDUE_PRINCIPAL,
    PRESENCE_MEASURES,
    REPAID,
    TTFD_PREFIX,
    Contribution,
    Parties,
    dimension_keys,
    total_of,
)

ACTIVE = "ACTIVE"
# The non-performing tiers of the five-tier classification (贷款五级分类: 次级, 可疑, 损失),
# as the credit service names them on its events.
NON_PERFORMING_CLASSES = frozenset({"SUBSTANDARD", "DOUBTFUL", "LOSS"})


@dataclass(frozen=True)
class LineBalances:
    """The line's balances after the change, as the credit service reports them."""

    limit_fen: int
    status: str


@dataclass(frozen=True)
class CreditFact:
    """What the aggregator needs of one event, already decoded."""

    event_type: str
    aggregate_id: str
    version: int
    month: str  # YYYY-MM in Asia/Shanghai, from occurred_at
    parties: Parties
    limit_fen: int = 0  # Registered: initial limit
    limit_delta_fen: int = 0  # Amended: new - previous limit
    # FundsDisbursed / LoanRepaid / LoanCompensated; LoanOverdue, LoanReclassified:
    # outstanding at the mark or move
    amount_fen: int = 0
    balances: LineBalances | None = None  # line events only
    first_disbursement: bool = False
    to_first_disbursement_s: int | None = None  # set on a first disbursement
    final: bool = False  # FinancingRejected: every addressed bank declined
    overdue: bool = False  # LoanRepaid: of a loan already marked overdue
    # LoanRepaid / LoanCompensated: the loan's class then; LoanReclassified: the new one
    risk_class: str = ""
    previous_risk_class: str = ""  # LoanReclassified

    @property
    def non_performing(self) -> bool:
        return self.risk_class in NON_PERFORMING_CLASSES

    @property
    def becomes_non_performing(self) -> bool:
        """A move into a non-performing class from a performing one; moves within the
        non-performing classes change neither the count nor the balance."""
        return self.non_performing and self.previous_risk_class not in NON_PERFORMING_CLASSES


@dataclass
class AggregateState:
    version: int
    dims: list[str]
    contribution: Contribution = field(default_factory=dict)
    # Earliest month this line's enterprise was forwarded as served (lines only).
    served_month: str | None = None
    # What the last apply_fact added (not stored): lets callers move their sums by
    # the change alone instead of diffing whole contributions.
    change: Contribution = field(default_factory=dict, compare=False)

    def add(self, measure: str, month: str, amount: int) -> None:
        for target in (self.contribution, self.change):
            by_month = target.setdefault(measure, {})
            by_month[month] = by_month.get(month, 0) + amount

    def to_json(self) -> dict[str, object]:
        return {
            "version": self.version,
            "dims": self.dims,
            "contribution": self.contribution,
            "served_month": self.served_month,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> AggregateState:
        contribution = data["contribution"]
        assert isinstance(contribution, dict)
        served = data.get("served_month")
        return cls(
            version=int(data["version"]),  # type: ignore[call-overload]
            dims=list(data["dims"]),  # type: ignore[call-overload]
            contribution={k: dict(v) for k, v in contribution.items()},
            served_month=served if isinstance(served, str) else None,
        )


def _start(state: AggregateState | None, fact: CreditFact) -> AggregateState:
    if state is None:
        return AggregateState(version=fact.version, dims=dimension_keys(fact.parties))
    # Application events gain a bank once one decides; later events carry the fuller
    # attribution, so an application is counted under the bank that decided it.
    dims = dimension_keys(fact.parties) if fact.parties.bank_id else state.dims
    return AggregateState(
        version=fact.version,
        dims=dims,
        contribution={k: dict(v) for k, v in state.contribution.items()},
        served_month=state.served_month,
    )


def _settle_stock(new: AggregateState, measure: str, month: str, target: int) -> None:
    """Stock measures move by (target - current) so the month series sums to the state."""
    delta = target - total_of(new.contribution.get(measure, {}))
    if delta:
        new.add(measure, month, delta)


def _apply_balances(new: AggregateState, fact: CreditFact) -> None:
    if fact.balances is None:
        return
    active = fact.balances.status == ACTIVE
    _settle_stock(new, ACTIVE_LIMIT, fact.month, fact.balances.limit_fen if active else 0)
    _settle_stock(new, ACTIVE_LINES, fact.month, 1 if active else 0)


def two_significant_digits(value: int) -> int:
    """Rounds down to two significant digits (12_345 -> 12_000): the histogram then has
    at most 90 buckets per decade, so its size does not grow with the event count,
    and percentiles are exact to within 10 %."""
    scale = 1
    while value >= 100 * scale:
        scale *= 10
    return value // scale * scale


def _apply_flows(new: AggregateState, fact: CreditFact) -> None:
    match fact.event_type:
        case "CreditLineRegistered":
            new.add(CREDIT_GRANTED, fact.month, fact.limit_fen)
            new.add(CREDIT_LINES, fact.month, 1)
        case "CreditLineAmended" if fact.limit_delta_fen > 0:
            # 累计授信 counts increases only; a decrease never lowers it.
            new.add(CREDIT_GRANTED, fact.month, fact.limit_delta_fen)
        case "FundsDisbursed":
            new.add(DISBURSED, fact.month, fact.amount_fen)
            new.add(DISBURSEMENTS, fact.month, 1)
            if fact.to_first_disbursement_s is not None:
                bucket_s = two_significant_digits(fact.to_first_disbursement_s)
                new.add(f"{TTFD_PREFIX}{bucket_s}", fact.month, 1)
        case "LoanRepaid":
            new.add(REPAID, fact.month, fact.amount_fen)
            if fact.overdue:
                new.add(OVERDUE_BALANCE, fact.month, -fact.amount_fen)
            _lower_npl(new, fact)
        case "LoanCompensated":
            # Principal repaid to the bank, by the guarantee company (代偿), of a loan
            # marked overdue (the credit service compensates no other).
            new.add(REPAID, fact.month, fact.amount_fen)
            new.add(COMPENSATED, fact.month, fact.amount_fen)
            new.add(OVERDUE_BALANCE, fact.month, -fact.amount_fen)
            _lower_npl(new, fact)
        case "LoanReclassified" if fact.becomes_non_performing:
            new.add(LOANS_NPL, fact.month, 1)
            new.add(NPL_BALANCE, fact.month, fact.amount_fen)
        case "FinancingApplied":
            new.add(APPS_SUBMITTED, fact.month, 1)
        case "FinancingApproved":
            new.add(APPS_APPROVED, fact.month, 1)
        case "FinancingRejected" if fact.final:
            new.add(APPS_REJECTED, fact.month, 1)
        case "FinancingWithdrawn":
            new.add(APPS_WITHDRAWN, fact.month, 1)
        case "LoanOverdue":
            new.add(LOANS_OVERDUE, fact.month, 1)
            new.add(OVERDUE_PRINCIPAL, fact.month, fact.amount_fen)
            new.add(OVERDUE_BALANCE, fact.month, fact.amount_fen)


def _lower_npl(new: AggregateState, fact: CreditFact) -> None:
    """Money repaid on a non-performing loan lowers the non-performing balance. The move
    is on the application's aggregate and the money on the line's, so the balance is a
    sum of signed changes across aggregates; the credit service orders the two under
    the application's row lock (a repayment waits for the move, or the move for it)."""
    if fact.non_performing:
        new.add(NPL_BALANCE, fact.month, -fact.amount_fen)


def apply_fact(state: AggregateState | None, fact: CreditFact) -> AggregateState:
    """The aggregate's state after `fact`; the caller has already checked the version."""
    new = _start(state, fact)
    _apply_flows(new, fact)
    _apply_balances(new, fact)
    return new


def should_forward_served(state: AggregateState | None, fact: CreditFact) -> bool:
    """A disbursement makes its enterprise "served"; forward it when it is the line's
    earliest-month disbursement seen so far (later ones change nothing downstream)."""
    if fact.event_type != "FundsDisbursed":
        return False
    served = state.served_month if state else None
    return served is None or fact.month < served


# Application events that can bring the bank that decided it, and so new cells.
BANK_DECISIONS = ("FinancingApproved", "FinancingRejected")


def first_month(state: AggregateState, fallback: str) -> str:
    """The month the aggregate's figures start: its line registration or application
    (`fallback` if its first event never arrived)."""
    months = [m for measure in PRESENCE_MEASURES for m in state.contribution.get(measure, {})]
    return min(months, default=fallback)


def should_forward_activity(previous: AggregateState | None, new: AggregateState) -> bool:
    """The aggregate's enterprise is active in every published cell it is attributed
    to: forward when the aggregate first appears and when its cells change (an
    application gains the bank that decided it). Bank shares follow the published cells,
    so comparing all dims compares those. Merging downstream is idempotent."""
    return previous is None or previous.dims != new.dims
