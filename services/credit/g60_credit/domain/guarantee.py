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
    version: int = 1

    @property
    def remaining_fen(self) -> int:
        return self.capacity_fen - self.used_fen

    def set_capacity(self, capacity_fen: int) -> None:
        """Lowering below what is in use is allowed: it only blocks new guarantees."""
        self.capacity_fen = capacity_fen
        self.version += 1

    def consume(self, share_fen: int) -> None:
        if share_fen > self.remaining_fen:
            raise errors.GuarantorCapacityExceeded(
                f"guarantor {self.guarantor_id} has {max(self.remaining_fen, 0)} fen left, "
                f"{share_fen} fen needed"
            )
        self.used_fen += share_fen
        self.version += 1

    def release(self, share_fen: int) -> None:
        assert 0 <= share_fen <= self.used_fen
        self.used_fen -= share_fen
        self.version += 1
