"""Credit domain events. Each carries the parties' dimensions for consumers."""

from __future__ import annotations

from dataclasses import dataclass

from g60_credit.domain.model import CreditLine
from g60_credit.domain.parties import EnterpriseView, MemberView


@dataclass(frozen=True)
class Parties:
    bank: MemberView
    enterprise: EnterpriseView


@dataclass(frozen=True)
class CreditLineRegistered:
    line: CreditLine
    parties: Parties


CreditEvent = CreditLineRegistered
