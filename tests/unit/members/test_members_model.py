"""Member lifecycle and optimistic-concurrency rules, on the pure domain."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from g60_members.domain.errors import (
    MemberNotActive,
    MemberNotSuspended,
    MemberWithdrawnIsFinal,
    StaleVersion,
)
from g60_members.domain.model import Member, MemberStatus
from g60_members.domain.validation import validate_member
from g60common.corridor import InstitutionType
from hypothesis import given
from hypothesis import strategies as st

USCC = "91350100M000100Y43"


def a_member(status: MemberStatus = MemberStatus.ACTIVE) -> Member:
    return Member(
        member_id="m-1",
        name="嘉兴银行",
        short_name="嘉行",
        institution_type=InstitutionType.BANK,
        home_city="330400",
        uscc=USCC,
        contact="",
        status=status,
        joined_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_suspend_then_reinstate_bumps_the_version_each_time() -> None:
    member = a_member()
    member.suspend()
    assert (member.status, member.version) == (MemberStatus.SUSPENDED, 2)
    member.reinstate()
    assert (member.status, member.version) == (MemberStatus.ACTIVE, 3)


def test_only_an_active_member_can_be_suspended() -> None:
    member = a_member(MemberStatus.SUSPENDED)
    with pytest.raises(MemberNotActive):
        member.suspend()
    assert member.version == 1


def test_only_a_suspended_member_can_be_reinstated() -> None:
    with pytest.raises(MemberNotSuspended):
        a_member().reinstate()


@pytest.mark.parametrize("start", [MemberStatus.ACTIVE, MemberStatus.SUSPENDED])
def test_active_and_suspended_members_can_withdraw(start: MemberStatus) -> None:
    member = a_member(start)
    member.withdraw()
    assert member.status is MemberStatus.WITHDRAWN


def test_a_withdrawn_member_cannot_be_reinstated_or_changed() -> None:
    member = a_member(MemberStatus.WITHDRAWN)
    for action in (member.reinstate, member.suspend, member.withdraw):
        with pytest.raises(MemberWithdrawnIsFinal):
            action()
    details = validate_member("新名字", "", "BANK", "330400", USCC, "")
    with pytest.raises(MemberWithdrawnIsFinal):
        member.revise(details)
    assert member.version == 1


def test_a_stale_version_is_refused() -> None:
    member = a_member()
    member.suspend()
    with pytest.raises(StaleVersion):
        member.check_version(1)
    member.check_version(2)


def test_revise_replaces_descriptive_fields() -> None:
    member = a_member()
    member.revise(validate_member("湖州银行", "湖行", "BANK", "330500", USCC, "张三"))
    assert (member.name, member.home_city, member.contact, member.version) == (
        "湖州银行",
        "330500",
        "张三",
        2,
    )


_ACTIONS = {"suspend": Member.suspend, "reinstate": Member.reinstate, "withdraw": Member.withdraw}


@given(st.lists(st.sampled_from(sorted(_ACTIONS)), max_size=12))
def test_version_counts_the_changes_and_withdrawal_is_final(actions: list[str]) -> None:
    member = a_member()
    applied = 0
    withdrawn = False
    for action in actions:
        try:
            _ACTIONS[action](member)
            applied += 1
        except (MemberNotActive, MemberNotSuspended, MemberWithdrawnIsFinal):
            pass
        withdrawn = withdrawn or member.status is MemberStatus.WITHDRAWN
        assert withdrawn == (member.status is MemberStatus.WITHDRAWN)
    assert member.version == 1 + applied
