"""Who is calling the gateway, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from g60common.ids import canonical_uuid


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


# Lifecycle ends of members and enterprises: rejecting or deregistering an enterprise
# revokes its keys, so issuing it a new one would undo that.
_FINAL_STATUSES = frozenset({"WITHDRAWN", "REJECTED", "DEREGISTERED"})
_BANK_INSTITUTION = "BANK"


class UnknownPrincipal(ValueError):
    """The id names no principal of the type the key is for."""


class PrincipalClosed(Exception):
    """The principal exists but has reached the end of its lifecycle."""


def canonical_principal_id(principal_type: PrincipalType, principal_id: str) -> str:
    """The id a key for this principal stores. Banks and enterprises are UUIDs of the
    members service, stored canonical (lower case, hyphenated): every later comparison
    (ownership checks, `bank_id` of new lines) is by string, so an upper-case or
    braced spelling would make a principal that can never read its own objects. An
    operator's id is only a label for the office's own keys."""
    if principal_type is PrincipalType.OPERATOR:
        return principal_id
    canonical = canonical_uuid(principal_id)
    if canonical is None:
        raise UnknownPrincipal(f"must be the UUID of a {principal_type.value}")
    return canonical


def check_may_hold_key(principal_type: PrincipalType, institution_type: str, status: str) -> None:
    """A bank key is for a member institution of type BANK, the only kind the credit
    service lets grant credit; nobody's key is for a principal whose lifecycle ended."""
    if principal_type is PrincipalType.BANK and institution_type != _BANK_INSTITUTION:
        raise UnknownPrincipal(f"is a {institution_type} member institution, not a bank")
    if status in _FINAL_STATUSES:
        raise PrincipalClosed(f"is {status}: no new key can be issued for it")
