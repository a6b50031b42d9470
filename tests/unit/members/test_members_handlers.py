"""Handlers against the FakeUnitOfWork: events, idempotency, and failures that write
nothing."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from g60_members.domain.errors import (
    DuplicateUscc,
    MemberNotFound,
    MemberWithdrawnIsFinal,
    StaleVersion,
)
from g60_members.domain.events import (
    EnterpriseRegistered,
    EnterpriseUpdated,
    MemberRegistered,
    MemberReinstated,
    MemberSuspended,
    MemberUpdated,
    MemberWithdrawn,
)
from g60_members.domain.listing import MemberFilter
from g60_members.domain.model import MemberStatus
from g60_members.domain.validation import InvalidFields
from g60_members.service_layer import handlers, queries
from g60_members.service_layer.commands import (
    ChangeMemberStatus,
    RegisterEnterprise,
    RegisterMember,
    StatusAction,
    UpdateEnterprise,
    UpdateMember,
)
from g60common.idempotency import IdempotencyConflict
from g60common.uscc import random_uscc
from members_fakes import FakeUnitOfWork

RNG = random.Random(60)


def clock() -> datetime:
    return datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def register_cmd(request_id: str = "req-1", **overrides: str) -> RegisterMember:
    fields = {
        "name": "杭州银行科技支行",
        "short_name": "杭银科技",
        "institution_type": "BANK",
        "home_city": "330100",
        "uscc": random_uscc(RNG, "330100"),
        "contact": "0571-0000000",
    }
    return RegisterMember("gateway:", request_id, **{**fields, **overrides})


async def registered(uow: FakeUnitOfWork, request_id: str = "req-1") -> str:
    return (await handlers.register_member(register_cmd(request_id), uow, clock)).value.member_id


def status_cmd(member_id: str, action: StatusAction, request_id: str) -> ChangeMemberStatus:
    return ChangeMemberStatus("gateway:", request_id, member_id, action, "理事会决议")


async def test_register_publishes_member_registered_at_version_1() -> None:
    uow = FakeUnitOfWork()
    applied = await handlers.register_member(register_cmd(), uow, clock)
    assert not applied.replayed
    assert applied.value.status is MemberStatus.ACTIVE
    assert uow.events == [MemberRegistered(applied.value)]


async def test_retry_with_same_id_and_content_replays_without_writing() -> None:
    uow = FakeUnitOfWork()
    cmd = register_cmd()
    first = await handlers.register_member(cmd, uow, clock)
    again = await handlers.register_member(cmd, uow, clock)
    assert again.replayed and again.value == first.value
    assert len(uow.events) == 1 and uow.commits == 1


async def test_same_id_with_other_content_is_refused_and_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    cmd = register_cmd()
    await handlers.register_member(cmd, uow, clock)
    with pytest.raises(IdempotencyConflict):
        await handlers.register_member(replace(cmd, name="别的银行"), uow, clock)
    assert len(uow.committed.members) == 1 and len(uow.events) == 1


async def test_duplicate_uscc_is_refused_and_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    cmd = register_cmd()
    await handlers.register_member(cmd, uow, clock)
    with pytest.raises(DuplicateUscc):
        await handlers.register_member(replace(cmd, request_id="req-2"), uow, clock)
    assert len(uow.committed.members) == 1
    assert ("gateway:", "req-2") not in uow.committed.requests


async def test_bad_fields_are_all_named() -> None:
    with pytest.raises(InvalidFields) as exc:
        await handlers.register_member(
            register_cmd(uscc="91350100M000100Y44", home_city="OTHER", institution_type="PAWN"),
            FakeUnitOfWork(),
            clock,
        )
    assert set(exc.value.violations) == {"uscc", "home_city", "institution_type"}


async def test_update_bumps_version_and_publishes_full_state() -> None:
    uow = FakeUnitOfWork()
    member_id = await registered(uow)
    cmd = UpdateMember("gateway:", "upd-1", member_id, 1, {"contact": "新联系人"})
    updated = (await handlers.update_member(cmd, uow)).value
    assert (updated.contact, updated.version) == ("新联系人", 2)
    assert uow.events[-1] == MemberUpdated(updated)


async def test_update_with_stale_version_is_refused_and_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    member_id = await registered(uow)
    await handlers.update_member(UpdateMember("c:", "u1", member_id, 1, {"contact": "a"}), uow)
    with pytest.raises(StaleVersion):
        await handlers.update_member(UpdateMember("c:", "u2", member_id, 1, {"contact": "b"}), uow)
    assert uow.committed.members[member_id].contact == "a"
    assert len(uow.events) == 2


async def test_update_of_unknown_member_is_not_found() -> None:
    with pytest.raises(MemberNotFound):
        await handlers.update_member(
            UpdateMember("c:", "u1", "nope", 1, {"contact": "a"}), FakeUnitOfWork()
        )


async def test_status_changes_emit_their_events_with_versions() -> None:
    uow = FakeUnitOfWork()
    member_id = await registered(uow)
    for n, action in enumerate(
        (StatusAction.SUSPEND, StatusAction.REINSTATE, StatusAction.WITHDRAW)
    ):
        await handlers.change_member_status(status_cmd(member_id, action, f"s{n}"), uow)
    kinds = [(type(e), e.member.version, e.member.status) for e in uow.events]  # type: ignore[union-attr]
    assert kinds == [
        (MemberRegistered, 1, MemberStatus.ACTIVE),
        (MemberSuspended, 2, MemberStatus.SUSPENDED),
        (MemberReinstated, 3, MemberStatus.ACTIVE),
        (MemberWithdrawn, 4, MemberStatus.WITHDRAWN),
    ]
    assert isinstance(uow.events[1], MemberSuspended) and uow.events[1].reason == "理事会决议"


async def test_reinstating_a_withdrawn_member_is_refused_and_writes_nothing() -> None:
    uow = FakeUnitOfWork()
    member_id = await registered(uow)
    await handlers.change_member_status(status_cmd(member_id, StatusAction.WITHDRAW, "w"), uow)
    with pytest.raises(MemberWithdrawnIsFinal):
        await handlers.change_member_status(status_cmd(member_id, StatusAction.REINSTATE, "r"), uow)
    assert len(uow.events) == 2
    assert ("gateway:", "r") not in uow.committed.requests


async def test_status_change_retry_replays() -> None:
    uow = FakeUnitOfWork()
    member_id = await registered(uow)
    cmd = status_cmd(member_id, StatusAction.SUSPEND, "s")
    await handlers.change_member_status(cmd, uow)
    again = await handlers.change_member_status(cmd, uow)
    assert again.replayed and again.value.status is MemberStatus.SUSPENDED
    assert len(uow.events) == 2


async def test_list_members_pages_through_everything_once() -> None:
    uow = FakeUnitOfWork()
    ids = {await registered(uow, f"r{n}") for n in range(7)}
    seen: list[str] = []
    token = ""
    while True:
        page = await queries.list_members(MemberFilter(home_city="330100"), 3, token, uow)
        seen += [m.member_id for m in page.items]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(ids)


async def test_enterprise_register_and_update() -> None:
    uow = FakeUnitOfWork()
    cmd = RegisterEnterprise(
        "c:", "e1", "上饶光电", random_uscc(RNG, "361100"), "OTHER", "361100",
        "NEW_MATERIALS", "", "SMALL", ("HIGH_TECH",), 5_000_000_00,
    )  # fmt: skip
    enterprise = (await handlers.register_enterprise(cmd, uow)).value
    changes = {"designations": ["HIGH_TECH", "TECH_SME"], "size_class": "MEDIUM"}
    update = UpdateEnterprise("c:", "e2", enterprise.enterprise_id, 1, changes)
    updated = (await handlers.update_enterprise(update, uow)).value
    assert updated.version == 2 and updated.size_class == "MEDIUM"
    assert [type(e) for e in uow.events] == [EnterpriseRegistered, EnterpriseUpdated]
