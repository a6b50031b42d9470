"""The credit line (授信) aggregate: pure rules over integer fen, no I/O.

Every command is guarded by named checks, changes the line, and bumps its version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from g60_credit.domain import errors


class CreditLineStatus(StrEnum):
    ACTIVE = "ACTIVE"
    FROZEN = "FROZEN"
    CLOSED = "CLOSED"
    EXPIRED = "EXPIRED"


class Product(StrEnum):
    WORKING_CAPITAL = "WORKING_CAPITAL"
    TECHNOLOGY_LOAN = "TECHNOLOGY_LOAN"
    IP_PLEDGE = "IP_PLEDGE"
    SUPPLY_CHAIN = "SUPPLY_CHAIN"
    GUARANTEE_BACKED = "GUARANTEE_BACKED"
    OTHER = "OTHER"


BP_PER_WHOLE = 10_000


@dataclass
class CreditLine:
    credit_line_id: str
    bank_id: str
    enterprise_id: str
    product: Product
    currency: str
    limit_fen: int
    revolving: bool
    valid_from: date
    valid_to: date
    guarantor_id: str = ""
    cover_ratio_bp: int = 0
    reserved_fen: int = 0
    utilized_fen: int = 0
    # Unpaid principal. Equals utilized on revolving lines; on non-revolving lines
    # utilized keeps every drawdown (repaid credit is not reusable) while this falls.
    outstanding_fen: int = 0
    status: CreditLineStatus = CreditLineStatus.ACTIVE
    version: int = 1

    def __post_init__(self) -> None:
        self.check_invariants()

    @property
    def available_fen(self) -> int:
        return self.limit_fen - self.reserved_fen - self.utilized_fen

    def check_invariants(self) -> None:
        assert self.limit_fen > 0
        assert self.reserved_fen >= 0 and self.utilized_fen >= 0
        assert self.available_fen >= 0, "available credit never goes negative"
        assert 0 <= self.outstanding_fen <= self.utilized_fen
        assert self.valid_from <= self.valid_to
        assert self.version >= 1

    # --- checks -------------------------------------------------------------

    def check_version(self, expected_version: int) -> None:
        """Optimistic concurrency for a bank's officers: a change decided on version N
        is refused once the line has moved on (0: the caller asked for no check)."""
        if expected_version and expected_version != self.version:
            raise errors.StaleVersion(
                f"credit line {self.credit_line_id} is at version {self.version},"
                f" not {expected_version}: re-read it and decide again"
            )

    def check_not_final(self) -> None:
        if self.status is CreditLineStatus.CLOSED:
            raise errors.CreditLineClosed(f"credit line {self.credit_line_id} is CLOSED")
        if self.status is CreditLineStatus.EXPIRED:
            raise errors.CreditLineExpired(f"credit line {self.credit_line_id} is EXPIRED")

    def check_active(self) -> None:
        self.check_not_final()
        if self.status is CreditLineStatus.FROZEN:
            raise errors.CreditLineFrozen(f"credit line {self.credit_line_id} is FROZEN")

    def check_in_window(self, today: date) -> None:
        if not self.valid_from <= today <= self.valid_to:
            raise errors.OutsideValidityWindow(
                f"{today} is outside the validity window {self.valid_from}..{self.valid_to}"
            )

    def check_can_lend(self, amount_fen: int, today: date) -> None:
        self.check_active()
        self.check_in_window(today)
        if amount_fen > self.available_fen:
            raise errors.CreditLimitExceeded(
                f"{amount_fen} fen requested, {self.available_fen} fen available"
            )

    # --- commands -----------------------------------------------------------

    def amend_limit(self, new_limit_fen: int) -> int:
        """Returns the previous limit. Frozen lines may be amended (bank housekeeping)."""
        self.check_not_final()
        if new_limit_fen == self.limit_fen:
            raise errors.LimitUnchanged(f"limit is already {new_limit_fen} fen")
        used_fen = self.reserved_fen + self.utilized_fen
        if new_limit_fen < used_fen:
            raise errors.LimitBelowUsage(
                f"new limit {new_limit_fen} fen is below reserved + utilized {used_fen} fen"
            )
        previous_fen, self.limit_fen = self.limit_fen, new_limit_fen
        self._changed()
        return previous_fen

    def freeze(self) -> None:
        self.check_active()
        self.status = CreditLineStatus.FROZEN
        self._changed()

    def unfreeze(self) -> None:
        self.check_not_final()
        if self.status is not CreditLineStatus.FROZEN:
            raise errors.CreditLineNotFrozen(f"credit line {self.credit_line_id} is not FROZEN")
        self.status = CreditLineStatus.ACTIVE
        self._changed()

    def close(self) -> None:
        """Closing is refused while principal is unpaid; a closed line is final."""
        if self.status is CreditLineStatus.CLOSED:
            raise errors.CreditLineClosed(f"credit line {self.credit_line_id} is CLOSED")
        if self.outstanding_fen > 0:
            raise errors.OutstandingPrincipal(
                f"{self.outstanding_fen} fen of principal is unpaid on this line"
            )
        self.status = CreditLineStatus.CLOSED
        self._changed()

    def is_due_for_expiry(self, today: date) -> bool:
        live = self.status in (CreditLineStatus.ACTIVE, CreditLineStatus.FROZEN)
        return live and today > self.valid_to

    def expire(self, today: date) -> None:
        self.check_not_final()
        if not self.is_due_for_expiry(today):
            raise errors.OutsideValidityWindow(f"the window runs until {self.valid_to}")
        self.status = CreditLineStatus.EXPIRED
        self._changed()

    def draw_down(self, amount_fen: int, today: date) -> None:
        self.check_can_lend(amount_fen, today)
        self.utilized_fen += amount_fen
        self.outstanding_fen += amount_fen
        self._changed()

    def repay(self, amount_fen: int) -> None:
        """Repayment is accepted in any status: money owed is owed even when frozen."""
        if amount_fen > self.outstanding_fen:
            raise errors.RepaymentExceedsOutstanding(
                f"{amount_fen} fen repaid, {self.outstanding_fen} fen outstanding"
            )
        self.outstanding_fen -= amount_fen
        if self.revolving:
            self.utilized_fen -= amount_fen
        self._changed()

    def guarantee_share_fen(self, amount_fen: int) -> int:
        """The guarantor's share of an amount, rounded up so cover is never short."""
        if not self.guarantor_id:
            return 0
        return -(-amount_fen * self.cover_ratio_bp // BP_PER_WHOLE)

    def _changed(self) -> None:
        self.version += 1
        self.check_invariants()
