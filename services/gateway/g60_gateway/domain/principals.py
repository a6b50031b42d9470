"""Who is calling the gateway, and what they may do."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from g60common.ids import canonical_uuid

from g60_gateway.domain.rate_limit import RATE_SCOPE_PREFIX, parse_rate_scope


class PrincipalType(StrEnum):
    BANK = "bank"
    ENTERPRISE = "enterprise"
    # A guarantee company (融资担保公司): reads its capacity and the loans it backs.
    GUARANTOR = "guarantor"
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
# The member institution type each member key is for: the credit service lets only
# banks grant credit and only guarantee companies guarantee.
_INSTITUTION_FOR_KEY = {PrincipalType.BANK: "BANK", PrincipalType.GUARANTOR: "GUARANTEE"}
_INSTITUTION_NAMES = {"BANK": "bank", "GUARANTEE": "guarantee company"}


class UnknownPrincipal(ValueError):
    """The id names no principal of the type the key is for."""


class PrincipalClosed(Exception):
    """The principal exists but has reached the end of its lifecycle."""


class InvalidScopes(ValueError):
    """A scope a key cannot carry."""


# A scope is a printable token: a blank or spaced one could never be matched on purpose.
_SCOPE = re.compile(r"[\x21-\x7e]{1,64}")


def canonical_principal_id(principal_type: PrincipalType, principal_id: str) -> str:
    """The id a key for this principal stores. Members and enterprises are UUIDs of the
    members service, stored canonical (lower case, hyphenated): every later comparison
    (ownership checks, `bank_id` of new lines) is by string, so an upper-case or
    braced spelling would make a principal that can never read its own objects. An
    operator's id is only a label for the office's own keys."""
    if principal_type is PrincipalType.OPERATOR:
        if not principal_id.strip():
            raise UnknownPrincipal("an operator key needs a label, e.g. alliance-office")
        return principal_id
    canonical = canonical_uuid(principal_id)
    if canonical is None:
        raise UnknownPrincipal(f"must be the UUID of a {principal_type.value}")
    return canonical


def is_member_key(principal_type: PrincipalType) -> bool:
    """Whether a key of this type is for a member institution (asked of GetMember)."""
    return principal_type in _INSTITUTION_FOR_KEY


def check_may_hold_key(principal_type: PrincipalType, institution_type: str, status: str) -> None:
    """A bank key is for a member institution of type BANK, a guarantor key for one of
    type GUARANTEE (the kinds the credit service lets grant credit and guarantee);
    nobody's key is for a principal whose lifecycle ended."""
    wanted = _INSTITUTION_FOR_KEY.get(principal_type)
    if wanted is not None and institution_type != wanted:
        raise UnknownPrincipal(
            f"is a {institution_type} member institution, not a {_INSTITUTION_NAMES[wanted]}"
        )
    if status in _FINAL_STATUSES:
        raise PrincipalClosed(f"is {status}: no new key can be issued for it")


def check_scopes(scopes: Sequence[str]) -> None:
    """Scopes are checked when a key is issued (route and CLI alike), not when it is
    used: a `rate_per_s` far below its range made every request after the burst fail,
    and a text that is no number was silently ignored."""
    for scope in scopes:
        if not _SCOPE.fullmatch(scope):
            raise InvalidScopes(f"{scope!r}: a scope is 1 to 64 printable characters, no spaces")
        if scope.startswith(RATE_SCOPE_PREFIX):
            try:
                parse_rate_scope(scope)
            except ValueError as exc:
                raise InvalidScopes(str(exc)) from None
    if sum(scope.startswith(RATE_SCOPE_PREFIX) for scope in scopes) > 1:
        raise InvalidScopes("at most one rate_per_s scope")
