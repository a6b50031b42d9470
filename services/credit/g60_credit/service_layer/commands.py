"""Commands the credit service handles, as the entrypoints build them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class LineAction(StrEnum):
    AMEND = "AMEND"
    FREEZE = "FREEZE"
    UNFREEZE = "UNFREEZE"
    CLOSE = "CLOSE"


@dataclass(frozen=True)
class ChangeCreditLine:
    bank_id: str
    request_id: str
    credit_line_id: str
    action: LineAction
    reason: str
    new_limit_fen: int = 0
    expected_version: int = 0  # 0: no check (optimistic concurrency is the caller's choice)


@dataclass(frozen=True)
class ApplyForFinancing:
    enterprise_id: str
    request_id: str
    bank_id: str  # empty: every ACTIVE bank of the enterprise's city (matchmaking)
    currency: str
    amount_fen: int
    term_months: int
    purpose: str


@dataclass(frozen=True)
class DecideFinancing:
    """A bank approves (binding one of its lines) or rejects an application."""

    bank_id: str
    request_id: str
    application_id: str
    approve: bool
    credit_line_id: str = ""
    approved_fen: int = 0  # 0 approves the requested amount
    reason: str = ""


@dataclass(frozen=True)
class CloseFinancing:
    bank_id: str
    request_id: str
    application_id: str
    reason: str


@dataclass(frozen=True)
class ExtendLoan:
    """The lending bank extends a loan still owing (展期) by `months`."""

    bank_id: str
    request_id: str
    application_id: str
    months: int


@dataclass(frozen=True)
class WithdrawFinancing:
    enterprise_id: str
    request_id: str
    application_id: str
    reason: str


@dataclass(frozen=True)
class MoveFunds:
    """A drawdown (放款) or a repayment of principal on an approved application."""

    bank_id: str
    request_id: str
    application_id: str
    amount_fen: int
    repayment: bool


@dataclass(frozen=True)
class CompensateLoan:
    """The guarantee company backing an overdue loan's line pays the bank (代偿)."""

    guarantor_id: str
    request_id: str
    application_id: str
    amount_fen: int


@dataclass(frozen=True)
class SetGuarantorCapacity:
    operator_id: str
    request_id: str
    guarantor_id: str
    capacity_fen: int
