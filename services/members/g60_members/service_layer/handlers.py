"""Members command handlers.

Idempotency: every command carries a request_id scoped to the caller. A retry with
the same id and content returns the stored original result without writing; the
same id with other content raises IdempotencyConflict and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from g60_members.domain import validation
from g60_members.domain.errors import EnterpriseNotFound, MemberNotFound
from g60_members.domain.events import EnterpriseRegistered, MemberRegistered
from g60_members.domain.model import Enterprise, Member, MemberStatus
from g60_members.domain.snapshots import (
    enterprise_from_snapshot,
    enterprise_snapshot,
    member_from_snapshot,
    member_snapshot,
)
from g60_members.service_layer.unit_of_work import MembersUnitOfWork

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class RegisterMember:
    caller: str
    request_id: str
    name: str
    short_name: str
    institution_type: str
    home_city: str
    uscc: str
    contact: str


@dataclass(frozen=True)
class RegisterEnterprise:
    caller: str
    request_id: str
    name: str
    uscc: str
    city: str
    region_code: str
    industry: str
    industry_code: str
    size_class: str
    designations: tuple[str, ...]
    registered_capital_fen: int


def fingerprint(command: object) -> bytes:
    body = json.dumps(asdict(command), sort_keys=True, ensure_ascii=False)  # type: ignore[call-overload]
    return hashlib.sha256(type(command).__name__.encode() + body.encode()).digest()


def _encode(snapshot: dict[str, Any]) -> bytes:
    return json.dumps(snapshot, ensure_ascii=False).encode()


async def register_member(cmd: RegisterMember, uow: MembersUnitOfWork, clock: Clock) -> Member:
    valid = validation.validate_member(
        cmd.name, cmd.short_name, cmd.institution_type, cmd.home_city, cmd.uscc, cmd.contact
    )
    async with uow:
        stored = await uow.claim_request(cmd.caller, cmd.request_id, fingerprint(cmd))
        if stored is not None:
            return member_from_snapshot(json.loads(stored))
        member = Member(
            member_id=str(uuid.uuid4()),
            status=MemberStatus.ACTIVE,
            joined_at=clock(),
            **asdict(valid),
        )
        await uow.repo.add_member(member)
        await uow.publish(MemberRegistered(member))
        await uow.record_response(cmd.caller, cmd.request_id, _encode(member_snapshot(member)))
        await uow.commit()
    return member


async def register_enterprise(cmd: RegisterEnterprise, uow: MembersUnitOfWork) -> Enterprise:
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
    )
    async with uow:
        stored = await uow.claim_request(cmd.caller, cmd.request_id, fingerprint(cmd))
        if stored is not None:
            return enterprise_from_snapshot(json.loads(stored))
        enterprise = Enterprise(enterprise_id=str(uuid.uuid4()), **asdict(valid))
        await uow.repo.add_enterprise(enterprise)
        await uow.publish(EnterpriseRegistered(enterprise))
        await uow.record_response(
            cmd.caller, cmd.request_id, _encode(enterprise_snapshot(enterprise))
        )
        await uow.commit()
    return enterprise


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
