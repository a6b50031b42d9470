"""Who is calling the gateway, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class PrincipalType(StrEnum):
    BANK = "bank"
    ENTERPRISE = "enterprise"
    OPERATOR = "operator"


@dataclass(frozen=True)
class Principal:
    key_id: str
    principal_type: PrincipalType
    principal_id: str
    scopes: frozenset[str]
