"""Members command handlers.

Idempotency: every command carries a request_id scoped to the caller. A retry with
the same id and content returns the stored original result without writing; the
same id with other content raises IdempotencyConflict and writes nothing. A command
that fails (bad field, stale version, illegal transition) rolls back its claim too,
so the caller may fix the request and retry under the same id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from g60_members.domain import validation
from g60_members.domain.errors import EnterpriseNotFound, MemberNotFound
from g60_members.domain.events import (
    EnterpriseRegistered,
    EnterpriseUpdated,
    MemberRegistered,
    MemberReinstated,
    MemberStatusEvent,
    MemberSuspended,
    MemberUpdated,
    MemberWithdrawn,
)
from g60_members.domain.model import Enterprise, Member, MemberStatus
from g60_members.domain.snapshots import (
    enterprise_from_snapshot,
    enterprise_snapshot,
    member_from_snapshot,
    member_snapshot,
)
from g60_members.domain.updates import (
    ENTERPRISE_UPDATABLE,
    MEMBER_UPDATABLE,
    check_expected_version,
    check_reason,
    check_update_mask,
    merged_enterprise,
    merged_member,
)
from g60_members.service_layer.commands import (
    ChangeMemberStatus,
    Command,
    RegisterEnterprise,
    RegisterMember,
    StatusAction,
    UpdateEnterprise,
    UpdateMember,
    fingerprint,
)
from g60_members.service_layer.unit_of_work import MembersUnitOfWork

Clock = Callable[[], datetime]
T = TypeVar("T", Member, Enterprise)


@dataclass(frozen=True)
class Applied(Generic[T]):
    """A command's result; `replayed` when it is the stored answer to an earlier try."""

    value: T
    replayed: bool = False


_ENCODERS: dict[type, Callable[[Any], dict[str, Any]]] = {
    Member: member_snapshot,
    Enterprise: enterprise_snapshot,
}


async def run_once(
    uow: MembersUnitOfWork,
    cmd: Command,
    decode: Callable[[dict[str, Any]], T],
    work: Callable[[], Awaitable[T]],
) -> Applied[T]:
    """Run `work` at most once per (caller, request id), in one transaction with
    its idempotency record."""
    async with uow:
        stored = await uow.claim_request(cmd.caller, cmd.request_id, fingerprint(cmd))
        if stored is not None:
            return Applied(decode(json.loads(stored)), replayed=True)
        result = await work()
        snapshot = _ENCODERS[type(result)](result)
        await uow.record_response(cmd.caller, cmd.request_id, json.dumps(snapshot).encode())
        await uow.commit()
    return Applied(result)


async def register_member(
    cmd: RegisterMember, uow: MembersUnitOfWork, clock: Clock
) -> Applied[Member]:
    """Fails with InvalidFields or DuplicateUscc; both write nothing."""
    valid = validation.validate_member(
        cmd.name, cmd.short_name, cmd.institution_type, cmd.home_city, cmd.uscc, cmd.contact
    )

    async def work() -> Member:
        member = Member(
            member_id=str(uuid.uuid4()),
            status=MemberStatus.ACTIVE,
            joined_at=clock(),
            **asdict(valid),
        )
        await uow.repo.add_member(member)
        await uow.publish(MemberRegistered(member))
        return member

    return await run_once(uow, cmd, member_from_snapshot, work)


async def update_member(cmd: UpdateMember, uow: MembersUnitOfWork) -> Applied[Member]:
    """Fails with InvalidFields, MemberNotFound, StaleVersion or MemberWithdrawnIsFinal."""
    check_update_mask(list(cmd.changes), MEMBER_UPDATABLE)
    check_expected_version(cmd.expected_version, required=True)

    async def work() -> Member:
        member = await _member_for_update(uow, cmd.member_id)
        member.check_version(cmd.expected_version)
        member.check_not_withdrawn()
        previous = member.version
        member.revise(merged_member(member, cmd.changes))
        await uow.repo.save_member(member, previous)
        await uow.publish(MemberUpdated(member))
        return member

    return await run_once(uow, cmd, member_from_snapshot, work)


_STATUS_CHANGES: dict[StatusAction, tuple[Callable[[Member], None], type[MemberStatusEvent]]] = {
    StatusAction.SUSPEND: (Member.suspend, MemberSuspended),
    StatusAction.REINSTATE: (Member.reinstate, MemberReinstated),
    StatusAction.WITHDRAW: (Member.withdraw, MemberWithdrawn),
}


async def change_member_status(cmd: ChangeMemberStatus, uow: MembersUnitOfWork) -> Applied[Member]:
    """Suspend, reinstate or withdraw. Fails with InvalidFields, MemberNotFound,
    StaleVersion or an IllegalStatusTransition (e.g. reinstating a withdrawn member)."""
    reason = check_reason(cmd.reason)
    check_expected_version(cmd.expected_version, required=False)
    transition, event_type = _STATUS_CHANGES[cmd.action]

    async def work() -> Member:
        member = await _member_for_update(uow, cmd.member_id)
        if cmd.expected_version:
            member.check_version(cmd.expected_version)
        previous = member.version
        transition(member)
        await uow.repo.save_member(member, previous)
        await uow.publish(event_type(member, reason))
        return member

    return await run_once(uow, cmd, member_from_snapshot, work)


async def register_enterprise(
    cmd: RegisterEnterprise, uow: MembersUnitOfWork
) -> Applied[Enterprise]:
    """Fails with InvalidFields or DuplicateUscc; both write nothing."""
    valid = validation.validate_enterprise(
        cmd.name,
        cmd.uscc,
        cmd.city,
        cmd.region_code,
        cmd.industry,
        cmd.industry_code,
        cmd.size_class,
        cmd.designations,
        cmd.registered_capital_fen,
        cmd.contact,
    )

    async def work() -> Enterprise:
        enterprise = Enterprise(enterprise_id=str(uuid.uuid4()), **asdict(valid))
        await uow.repo.add_enterprise(enterprise)
        await uow.publish(EnterpriseRegistered(enterprise))
        return enterprise

    return await run_once(uow, cmd, enterprise_from_snapshot, work)


async def update_enterprise(cmd: UpdateEnterprise, uow: MembersUnitOfWork) -> Applied[Enterprise]:
    """Fails with InvalidFields, EnterpriseNotFound, StaleVersion or
    EnterpriseStatusIsFinal (a REJECTED or DEREGISTERED enterprise)."""
    check_update_mask(list(cmd.changes), ENTERPRISE_UPDATABLE)
    check_expected_version(cmd.expected_version, required=True)

    async def work() -> Enterprise:
        enterprise = await enterprise_for_update(uow, cmd.enterprise_id)
        enterprise.check_version(cmd.expected_version)
        enterprise.check_not_final()
        previous = enterprise.version
        enterprise.revise(merged_enterprise(enterprise, cmd.changes))
        await uow.repo.save_enterprise(enterprise, previous)
        await uow.publish(EnterpriseUpdated(enterprise))
        return enterprise

    return await run_once(uow, cmd, enterprise_from_snapshot, work)


async def enterprise_for_update(uow: MembersUnitOfWork, enterprise_id: str) -> Enterprise:
    enterprise = await uow.repo.get_enterprise(enterprise_id, for_update=True)
    if enterprise is None:
        raise EnterpriseNotFound(enterprise_id)
    return enterprise


async def _member_for_update(uow: MembersUnitOfWork, member_id: str) -> Member:
    member = await uow.repo.get_member(member_id, for_update=True)
    if member is None:
        raise MemberNotFound(member_id)
    return member


async def get_member(member_id: str, uow: MembersUnitOfWork) -> Member:
    async with uow:
        member = await uow.repo.get_member(member_id)
    if member is None:
        raise MemberNotFound(member_id)
    return member


async def get_enterprise(enterprise_id: str, uow: MembersUnitOfWork) -> Enterprise:
    async with uow:
        enterprise = await uow.repo.get_enterprise(enterprise_id)
    if enterprise is None:
        raise EnterpriseNotFound(enterprise_id)
    return enterprise
