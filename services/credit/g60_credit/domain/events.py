"""Credit domain events. Each carries the parties' dimensions for consumers.

Credit-line events live on aggregate CreditLine; application lifecycle events on
FinancingApplication. FundsDisbursed, LoanRepaid and LoanCompensated change both, and are events of
the credit line: its version orders every money movement on it. A guarantee company's
capacity setting is an event of aggregate GuarantorCapacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.guarantee import GuarantorCapacity
from g60_credit.domain.model import CreditLine
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.domain.risk import RiskClass


@dataclass(frozen=True)
class Parties:
    # None on a matchmaking application no bank has taken yet.
    bank: MemberView | None
    enterprise: EnterpriseView


@dataclass(frozen=True)
class CreditLineRegistered:
    line: CreditLine
    parties: Parties


@dataclass(frozen=True)
class CreditLineAmended:
    line: CreditLine
    parties: Parties
    previous_limit_fen: int
    reason: str


@dataclass(frozen=True)
class CreditLineFrozen:
    line: CreditLine
    parties: Parties
    reason: str


@dataclass(frozen=True)
class CreditLineUnfrozen:
    line: CreditLine
    parties: Parties
    reason: str


@dataclass(frozen=True)
class CreditLineClosed:
    line: CreditLine
    parties: Parties
    reason: str


@dataclass(frozen=True)
class CreditLineExpired:
    line: CreditLine
    parties: Parties
    reason: str


LineEvent = (
    CreditLineRegistered
    | CreditLineAmended
    | CreditLineFrozen
    | CreditLineUnfrozen
    | CreditLineClosed
    | CreditLineExpired
)


@dataclass(frozen=True)
class FinancingApplied:
    application: FinancingApplication
    parties: Parties


@dataclass(frozen=True)
class FinancingApproved:
    application: FinancingApplication
    line: CreditLine
    parties: Parties


@dataclass(frozen=True)
class FinancingRejected:
    application: FinancingApplication
    parties: Parties
    rejecting_bank_id: str
    reason: str


@dataclass(frozen=True)
class FinancingWithdrawn:
    application: FinancingApplication
    parties: Parties
    reason: str


@dataclass(frozen=True)
class FinancingClosed:
    application: FinancingApplication
    parties: Parties
    reason: str


@dataclass(frozen=True)
class LoanOverdue:
    """Principal outstanding past maturity, marked once by the sweeper."""

    application: FinancingApplication
    parties: Parties
    guarantor_id: str


@dataclass(frozen=True)
class LoanDueSoon:
    """A loan still owing falls due in `days_left` days (到期提醒), announced once per
    maturity date by the sweeper."""

    application: FinancingApplication
    parties: Parties
    guarantor_id: str
    days_left: int


@dataclass(frozen=True)
class LoanExtended:
    """The lender extended the loan (展期) by `months` from `previous_maturity_date`."""

    application: FinancingApplication
    parties: Parties
    guarantor_id: str
    previous_maturity_date: date
    months: int


@dataclass(frozen=True)
class LoanReclassified:
    """The sweeper moved a loan down the five tiers (五级分类) as its days past due
    crossed a floor; `application.risk_class` is the new class."""

    application: FinancingApplication
    parties: Parties
    guarantor_id: str
    previous_class: RiskClass
    days_past_due: int


@dataclass(frozen=True)
class FundsDisbursed:
    drawdown_id: str
    amount_fen: int
    guarantee_fen: int
    line: CreditLine
    application: FinancingApplication
    parties: Parties


@dataclass(frozen=True)
class LoanRepaid:
    repayment_id: str
    amount_fen: int
    guarantee_released_fen: int
    line: CreditLine
    application: FinancingApplication
    parties: Parties


@dataclass(frozen=True)
class LoanCompensated:
    """The line's guarantee company paid the bank part of an overdue loan (代偿)."""

    compensation_id: str
    amount_fen: int
    guarantee_released_fen: int
    line: CreditLine
    application: FinancingApplication
    parties: Parties


@dataclass(frozen=True)
class GuarantorCapacitySet:
    capacity: GuarantorCapacity
    guarantor: MemberView
    previous_capacity_fen: int
    operator_id: str


ApplicationEvent = (
    FinancingApplied
    | FinancingApproved
    | FinancingRejected
    | FinancingWithdrawn
    | FinancingClosed
    | LoanOverdue
    | LoanDueSoon
    | LoanExtended
    | LoanReclassified
)
MoneyEvent = FundsDisbursed | LoanRepaid | LoanCompensated
CreditEvent = LineEvent | ApplicationEvent | MoneyEvent | GuarantorCapacitySet
