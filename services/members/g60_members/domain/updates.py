"""Field-mask updates: which fields a caller may change, and the validated result.

An update is validated as a whole registration of the merged state, so the rules
that tie fields together (OTHER city needs a region code, OTHER industry needs a
GB/T 4754 code) hold after every update exactly as at registration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from g60_members.domain.model import Enterprise, Member
from g60_members.domain.validation import (
    EnterpriseInput,
    InvalidFields,
    MemberInput,
    validate_enterprise,
    validate_member,
)

MEMBER_UPDATABLE = ("name", "short_name", "institution_type", "home_city", "contact")
ENTERPRISE_UPDATABLE = (
    "name",
    "city",
    "region_code",
    "industry",
    "industry_code",
    "size_class",
    "designations",
    "registered_capital_fen",
    "contact",
)
MAX_REASON_CHARS = 500


def check_update_mask(paths: Sequence[str], updatable: Sequence[str]) -> None:
    if not paths:
        raise InvalidFields({"update_mask": "name at least one field to update"})
    refused = sorted(set(paths) - set(updatable))
    if refused:
        allowed = ", ".join(updatable)
        raise InvalidFields({"update_mask": f"cannot update {', '.join(refused)}; use {allowed}"})


def check_expected_version(expected_version: int, *, required: bool) -> None:
    if expected_version < 0 or (required and expected_version == 0):
        raise InvalidFields({"expected_version": "must be the version you read (1 or more)"})


def check_reason(reason: str) -> str:
    text = reason.strip()
    if not text or len(text) > MAX_REASON_CHARS:
        raise InvalidFields({"reason": f"is required, at most {MAX_REASON_CHARS} characters"})
    return text


def merged_member(member: Member, changes: Mapping[str, Any]) -> MemberInput:
    current = {
        "name": member.name,
        "short_name": member.short_name,
        "institution_type": member.institution_type.value,
        "home_city": member.home_city,
        "uscc": member.uscc,
        "contact": member.contact,
    }
    try:
        return validate_member(**{**current, **changes})
    except InvalidFields as exc:
        raise _prefixed(exc, "member") from None


def merged_enterprise(enterprise: Enterprise, changes: Mapping[str, Any]) -> EnterpriseInput:
    current = {
        "name": enterprise.name,
        "uscc": enterprise.uscc,
        "city": enterprise.city,
        "region_code": enterprise.region_code,
        "industry": enterprise.industry.value,
        "industry_code": enterprise.industry_code,
        "size_class": enterprise.size_class.value,
        "designations": [d.value for d in enterprise.designations],
        "registered_capital_fen": enterprise.registered_capital_fen,
        "contact": enterprise.contact,
    }
    try:
        return validate_enterprise(**{**current, **changes})
    except InvalidFields as exc:
        raise _prefixed(exc, "enterprise") from None


def _prefixed(exc: InvalidFields, message_field: str) -> InvalidFields:
    """Name the request path (`member.home_city`) the caller actually sent."""
    return InvalidFields({f"{message_field}.{k}": v for k, v in exc.violations.items()})
