"""Field masks, merged-update validation, reasons, filters and page tokens."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from g60_members.domain.listing import EnterpriseFilter, MemberFilter, page_limit
from g60_members.domain.model import Enterprise, Member, MemberStatus
from g60_members.domain.updates import (
    ENTERPRISE_UPDATABLE,
    MEMBER_UPDATABLE,
    check_expected_version,
    check_reason,
    check_update_mask,
    merged_enterprise,
    merged_member,
)
from g60_members.domain.validation import InvalidFields
from g60_members.service_layer.paging import decode_page_token, encode_page_token
from g60common.corridor import Industry, InstitutionType, SizeClass

USCC = "91350100M000100Y43"
ID = "6a4c2a8e-8c0e-4b36-9d0c-2f6a3c1b0e11"


def a_member() -> Member:
    return Member(
        ID, "芜湖银行", "", InstitutionType.BANK, "340200", USCC, "", MemberStatus.ACTIVE,
        datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def an_enterprise() -> Enterprise:
    return Enterprise(
        ID, "上饶光电", USCC, "OTHER", "361100", Industry.NEW_MATERIALS, "", SizeClass.SMALL
    )


def violations(exc: pytest.ExceptionInfo[InvalidFields]) -> set[str]:
    return set(exc.value.violations)


def test_mask_must_name_updatable_fields() -> None:
    with pytest.raises(InvalidFields) as empty:
        check_update_mask([], MEMBER_UPDATABLE)
    with pytest.raises(InvalidFields) as identity:
        check_update_mask(["name", "uscc", "status"], MEMBER_UPDATABLE)
    assert violations(empty) == violations(identity) == {"update_mask"}
    assert "status, uscc" in identity.value.violations["update_mask"]
    check_update_mask(["designations", "city"], ENTERPRISE_UPDATABLE)


def test_merged_member_names_every_bad_field_by_request_path() -> None:
    with pytest.raises(InvalidFields) as exc:
        merged_member(a_member(), {"name": " ", "home_city": "361100"})
    assert violations(exc) == {"member.name", "member.home_city"}


def test_merged_member_keeps_unmasked_fields() -> None:
    merged = merged_member(a_member(), {"contact": "王五 0553-1234567"})
    assert (merged.name, merged.home_city, merged.contact) == (
        "芜湖银行",
        "340200",
        "王五 0553-1234567",
    )


def test_moving_an_enterprise_into_the_corridor_needs_the_region_code_cleared() -> None:
    with pytest.raises(InvalidFields) as exc:
        merged_enterprise(an_enterprise(), {"city": "330100"})
    assert violations(exc) == {"enterprise.region_code"}
    moved = merged_enterprise(an_enterprise(), {"city": "330100", "region_code": ""})
    assert (moved.city, moved.region_code) == ("330100", "")


def test_expected_version_and_reason() -> None:
    with pytest.raises(InvalidFields):
        check_expected_version(0, required=True)
    with pytest.raises(InvalidFields):
        check_expected_version(-1, required=False)
    check_expected_version(0, required=False)
    with pytest.raises(InvalidFields):
        check_reason("   ")
    with pytest.raises(InvalidFields):
        check_reason("因" * 501)
    assert check_reason(" 监管检查 ") == "监管检查"


def test_page_size_default_and_cap() -> None:
    assert page_limit(0) == 50
    assert page_limit(7) == 7
    assert page_limit(10_000) == 500
    with pytest.raises(InvalidFields):
        page_limit(-1)


def test_filters_are_checked() -> None:
    with pytest.raises(InvalidFields) as exc:
        MemberFilter(home_city="110000", institution_type="PAWNSHOP", status="GONE").check()
    assert violations(exc) == {"home_city", "institution_type", "status"}
    EnterpriseFilter(city="OTHER", industry="BIOMEDICINE", size_class="MICRO").check()


def test_page_token_round_trips_and_is_bound_to_its_filters() -> None:
    filters = MemberFilter(home_city="330100")
    token = encode_page_token(ID, filters)
    assert decode_page_token(token, filters) == ID
    assert decode_page_token("", filters) == ""
    with pytest.raises(InvalidFields):
        decode_page_token(token, MemberFilter(home_city="330400"))
    with pytest.raises(InvalidFields):
        decode_page_token("not-a-token", filters)
