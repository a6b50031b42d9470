"""The credit service's read model of members follows the members events: a suspended
bank is refused credit even while the members service is down, and a credit service
that was down catches up on what it missed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date, timedelta
from pathlib import Path

import asyncpg
import grpc
import pytest
import pytest_asyncio
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.launcher import ServiceProcess
from members_helpers import (
    bank_request,
    decision_request,
    enterprise_request,
    self_registration_request,
    service_process,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
Stub = members_pb2_grpc.MembersServiceStub


@pytest.fixture
def credit_service(
    members_env: dict[str, str], members_service: ServiceProcess, tmp_path: Path
) -> Iterator[ServiceProcess]:
    service = service_process(members_env, "credit", tmp_path)
    service.start()
    try:
        service.wait_ready()
        yield service
    finally:
        service.stop()


@pytest_asyncio.fixture(loop_scope="session")
async def credit_db(members_env: dict[str, str]) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(members_env["G60_CREDIT_PG_DSN"])
    try:
        yield conn
    finally:
        await conn.close()


async def view_of(db: asyncpg.Connection, member_id: str) -> tuple[str, int] | None:
    row = await db.fetchrow(
        "SELECT status, version FROM member_view WHERE member_id = $1", uuid.UUID(member_id)
    )
    return (row["status"], row["version"]) if row else None


def status_request(member_id: str, reason: str) -> members_pb2.ChangeMemberStatusRequest:
    return members_pb2.ChangeMemberStatusRequest(
        request_id=str(uuid.uuid4()), member_id=member_id, reason=reason
    )


def credit_line_request(enterprise_id: str) -> credit_pb2.RegisterCreditLineRequest:
    today = date.today()
    return credit_pb2.RegisterCreditLineRequest(
        request_id=str(uuid.uuid4()),
        enterprise_id=enterprise_id,
        product="WORKING_CAPITAL",
        currency="CNY",
        limit_fen=10_000_000_00,
        revolving=True,
        valid_from=today.isoformat(),
        valid_to=(today + timedelta(days=365)).isoformat(),
    )


async def test_suspended_bank_is_refused_while_members_is_down(
    members: Stub,
    members_service: ServiceProcess,
    credit_service: ServiceProcess,
    credit_db: asyncpg.Connection,
    members_env: dict[str, str],
) -> None:
    bank = await members.RegisterMember(bank_request())
    firm = await members.RegisterEnterprise(enterprise_request())
    await members.SuspendMember(status_request(bank.member_id, "监管处罚"))

    async def suspension_seen() -> bool:
        known = await credit_db.fetchval(
            "SELECT count(*) FROM enterprise_view WHERE enterprise_id = $1",
            uuid.UUID(firm.enterprise_id),
        )
        return known == 1 and await view_of(credit_db, bank.member_id) == ("SUSPENDED", 2)

    await wait_until(suspension_seen)
    members_service.stop()
    try:
        metadata = ((CALLER_TYPE_KEY, "bank"), (CALLER_ID_KEY, bank.member_id))
        async with grpc.aio.insecure_channel(members_env["G60_CREDIT_GRPC_TARGET"]) as channel:
            credit = credit_pb2_grpc.CreditServiceStub(channel)
            with pytest.raises(grpc.aio.AioRpcError) as refused:
                await credit.RegisterCreditLine(
                    credit_line_request(firm.enterprise_id), metadata=metadata, timeout=10.0
                )
        assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION, refused.value
    finally:
        members_service.start()
        members_service.wait_ready()


async def test_credit_catches_up_on_changes_made_while_it_was_down(
    members: Stub, credit_service: ServiceProcess, credit_db: asyncpg.Connection
) -> None:
    bank = await members.RegisterMember(bank_request())

    async def registered_seen() -> bool:
        return await view_of(credit_db, bank.member_id) == ("ACTIVE", 1)

    await wait_until(registered_seen)
    credit_service.stop()
    await members.SuspendMember(status_request(bank.member_id, "暂停"))
    await members.ReinstateMember(status_request(bank.member_id, "整改完成"))
    await members.WithdrawMember(status_request(bank.member_id, "退出联盟"))
    credit_service.start()
    credit_service.wait_ready()

    async def withdrawal_seen() -> bool:
        return await view_of(credit_db, bank.member_id) == ("WITHDRAWN", 4)

    await wait_until(withdrawal_seen)


async def enterprise_view_of(db: asyncpg.Connection, enterprise_id: str) -> tuple[str, int] | None:
    row = await db.fetchrow(
        "SELECT status, version FROM enterprise_view WHERE enterprise_id = $1",
        uuid.UUID(enterprise_id),
    )
    return (row["status"], row["version"]) if row else None


async def _refused(call: object) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call  # type: ignore[misc]
    return refused.value.code()


async def test_only_a_verified_enterprise_gets_credit(
    members: Stub,
    credit_service: ServiceProcess,
    credit_db: asyncpg.Connection,
    members_env: dict[str, str],
) -> None:
    """The read model follows EnterpriseVerified and EnterpriseDeregistered; credit
    refuses lines and applications for anything but ACTIVE."""
    bank = await members.RegisterMember(bank_request(home_city="340200"))
    signup = (("x-g60-caller-type", "signup"), ("x-g60-caller-id", "203.0.113.7"))
    firm = await members.SelfRegisterEnterprise(self_registration_request(), metadata=signup)
    as_bank = ((CALLER_TYPE_KEY, "bank"), (CALLER_ID_KEY, bank.member_id))
    as_firm = ((CALLER_TYPE_KEY, "enterprise"), (CALLER_ID_KEY, firm.enterprise_id))

    def apply() -> credit_pb2.ApplyForFinancingRequest:
        return credit_pb2.ApplyForFinancingRequest(
            request_id=str(uuid.uuid4()),
            bank_id=bank.member_id,
            currency="CNY",
            amount_fen=1_000_000,
            term_months=12,
            purpose="流动资金",
        )

    async def view_is(status: str, version: int) -> None:
        async def seen() -> bool:
            return await enterprise_view_of(credit_db, firm.enterprise_id) == (status, version)

        await wait_until(seen)

    async with grpc.aio.insecure_channel(members_env["G60_CREDIT_GRPC_TARGET"]) as channel:
        credit = credit_pb2_grpc.CreditServiceStub(channel)
        await view_is("PENDING_VERIFICATION", 1)
        line = credit_line_request(firm.enterprise_id)
        pending_line = credit.RegisterCreditLine(line, metadata=as_bank, timeout=10.0)
        assert await _refused(pending_line) == grpc.StatusCode.FAILED_PRECONDITION
        pending_apply = credit.ApplyForFinancing(apply(), metadata=as_firm, timeout=10.0)
        assert await _refused(pending_apply) == grpc.StatusCode.FAILED_PRECONDITION

        await members.VerifyEnterprise(decision_request(firm.enterprise_id, 1))
        await view_is("ACTIVE", 2)
        line = credit_line_request(firm.enterprise_id)
        await credit.RegisterCreditLine(line, metadata=as_bank, timeout=10.0)
        await credit.ApplyForFinancing(apply(), metadata=as_firm, timeout=10.0)

        await members.DeregisterEnterprise(decision_request(firm.enterprise_id, 2))
        await view_is("DEREGISTERED", 3)
        late_apply = credit.ApplyForFinancing(apply(), metadata=as_firm, timeout=10.0)
        assert await _refused(late_apply) == grpc.StatusCode.FAILED_PRECONDITION
