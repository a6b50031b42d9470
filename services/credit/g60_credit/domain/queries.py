"""Read-side query parameters, bounded so no caller can ask for everything at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.model import CreditLine

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def page_size(requested: int) -> int:
    if requested <= 0:
        return DEFAULT_PAGE_SIZE
    return min(requested, MAX_PAGE_SIZE)


ViewerKind = Literal["bank", "enterprise", "guarantor"]


@dataclass(frozen=True)
class Viewer:
    """Who reads credit lines: a bank sees the lines it granted, an enterprise the lines
    granted to it, a guarantee company the lines it backs. Anything else is reported
    as missing."""

    kind: ViewerKind
    party_id: str

    def can_see(self, line: CreditLine) -> bool:
        # An empty id must never match a line without a guarantor.
        return bool(self.party_id) and self.owner_of(line) == self.party_id

    def owner_of(self, line: CreditLine) -> str:
        if self.kind == "bank":
            return line.bank_id
        return line.enterprise_id if self.kind == "enterprise" else line.guarantor_id


@dataclass(frozen=True)
class GuaranteedLoanQuery:
    """The applications bound to lines `guarantor_id` backs, by the status their lender
    sees (which is theirs: a lender is shown the whole loan)."""

    guarantor_id: str
    status: str = ""
    after_id: str = ""
    limit: int = DEFAULT_PAGE_SIZE
    # Only loans with principal outstanding after their maturity date: what a guarantor
    # may have to pay for.
    overdue: bool = False
    # Only loans in this risk class (五级分类), as the lender sees them.
    risk_class: str = ""


@dataclass(frozen=True)
class LineQuery:
    viewer: Viewer
    status: str = ""
    enterprise_id: str = ""
    after_id: str = ""
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class ApplicationQuery:
    """Applications of `enterprise_id`, or addressed to `bank_id` (exactly one is set)."""

    enterprise_id: str = ""
    bank_id: str = ""
    status: str = ""
    after_id: str = ""
    limit: int = DEFAULT_PAGE_SIZE
    # Only what still waits for the bank's decision: SUBMITTED and not declined by it.
    awaiting_decision: bool = False
    # Only loans with principal outstanding after their maturity date (a bank's: the
    # ones it lends).
    overdue: bool = False
    # Only applications in this risk class (五级分类) as the caller is shown it: to a bank
    # that lost the application, NORMAL.
    risk_class: str = ""


@dataclass(frozen=True)
class ApplicationPageQuery:
    """A page of one application's records (movements, history) after the record
    numbered `after` (0: from the first)."""

    application_id: str
    after: int = 0
    limit: int = DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class AuditEntry:
    aggregate_type: str
    aggregate_id: str
    action: str
    actor: str
    request_id: str
    before: dict[str, object] | None
    after: dict[str, object]


@dataclass(frozen=True)
class AuditRecord:
    audit_id: int
    action: str
    actor: str
    request_id: str
    occurred_at_iso: str
    before_json: str
    after_json: str


@dataclass(frozen=True)
class MovementRecord:
    """One drawdown or repayment of an application, with the application's totals once it
    was made. `sequence` is the line's version after the movement: the application's line
    is fixed, and its version orders every movement on it."""

    movement_id: str
    kind: str
    amount_fen: int
    guarantee_fen: int
    credit_line_id: str
    occurred_at_iso: str
    sequence: int
    disbursed_after_fen: int
    repaid_after_fen: int

    @property
    def outstanding_after_fen(self) -> int:
        return self.disbursed_after_fen - self.repaid_after_fen


@dataclass(frozen=True)
class HistoryEntry:
    """One change of an application, as its reader may see it."""

    entry_id: int
    action: str
    actor: str
    occurred_at_iso: str
    request_id: str  # empty unless the reader made the change: request ids are the caller's
    application: FinancingApplication  # after the change, as the reader is shown it
