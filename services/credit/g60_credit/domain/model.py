"""The credit line (授信) aggregate: pure rules over integer fen, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


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
        assert self.valid_from <= self.valid_to
        assert self.version >= 1
