"""A guarantee company's capacity (担保额度): how much guaranteed principal it may carry.

An operator sets the capacity; drawdowns on guarantee-backed lines take the
guaranteed share of each tranche, repayments give it back.
"""

from __future__ import annotations

from dataclasses import dataclass

from g60_credit.domain import errors


@dataclass
class GuarantorCapacity:
    guarantor_id: str
    capacity_fen: int = 0
    used_fen: int = 0
    version: int = 1  # the row's: every change, consumption included
    # The event aggregate's version: counts only the settings, the one change that is an
    # event of its own (consumption travels on the credit line's money events).
    capacity_version: int = 0

    @property
    def remaining_fen(self) -> int:
        return self.capacity_fen - self.used_fen

    @property
    def available_fen(self) -> int:
        """What new guarantees may still take: never below 0, though the office may lower
        a capacity below what is in use."""
        return max(self.remaining_fen, 0)

    def set_capacity(self, capacity_fen: int) -> int:
        """Lowering below what is in use is allowed: it only blocks new guarantees.
        Returns the previous capacity."""
        previous_fen, self.capacity_fen = self.capacity_fen, capacity_fen
        self.version += 1
        self.capacity_version += 1
        return previous_fen

    def consume(self, share_fen: int) -> None:
        if share_fen > self.remaining_fen:
            raise errors.GuarantorCapacityExceeded(
                f"guarantor {self.guarantor_id} has {self.available_fen} fen left, "
                f"{share_fen} fen needed"
            )
        self.used_fen += share_fen
        self.version += 1

    def release(self, share_fen: int) -> None:
        assert 0 <= share_fen <= self.used_fen
        self.used_fen -= share_fen
        self.version += 1


def may_read_capacity(caller_type: str, caller_id: str, guarantor_id: str) -> bool:
    """The alliance office reads every guarantor's capacity, a guarantee company its own;
    to anyone else it does not exist."""
    if caller_type == "operator":
        return True
    return caller_type == "guarantor" and bool(caller_id) and caller_id == guarantor_id
