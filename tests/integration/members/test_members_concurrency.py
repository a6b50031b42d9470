"""Optimistic concurrency on the real database: of several updates made against the
same version, exactly one wins; the others are ABORTED and change nothing."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import asyncpg
import grpc
import pytest
from g60.members.v1 import members_pb2, members_pb2_grpc
from google.protobuf.field_mask_pb2 import FieldMask
from members_helpers import bank_request

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
CONTENDERS = 8


async def _update(
    members: members_pb2_grpc.MembersServiceStub, member_id: str, contact: str
) -> grpc.StatusCode:
    request = members_pb2.UpdateMemberRequest(
        request_id=str(uuid.uuid4()),
        member_id=member_id,
        expected_version=1,
        member=members_pb2.Member(contact=contact),
        update_mask=FieldMask(paths=["contact"]),
    )
    try:
        await members.UpdateMember(request, timeout=10.0)
    except grpc.aio.AioRpcError as exc:
        return exc.code()
    return grpc.StatusCode.OK


async def test_concurrent_updates_with_one_version_have_one_winner(
    members: members_pb2_grpc.MembersServiceStub, members_db: asyncpg.Connection
) -> None:
    bank = await members.RegisterMember(bank_request())
    codes = await asyncio.gather(
        *(_update(members, bank.member_id, f"联系人{n}") for n in range(CONTENDERS))
    )
    assert Counter(c.name for c in codes) == {"OK": 1, "ABORTED": CONTENDERS - 1}
    current = await members.GetMember(members_pb2.GetMemberRequest(member_id=bank.member_id))
    assert current.version == 2
    events = await members_db.fetchval(
        "SELECT count(*) FROM outbox WHERE aggregate_id = $1", bank.member_id
    )
    assert events == 2  # registered + the one winning update


async def test_status_change_with_stale_expected_version_is_aborted(
    members: members_pb2_grpc.MembersServiceStub,
) -> None:
    bank = await members.RegisterMember(bank_request())
    assert await _update(members, bank.member_id, "新联系人") == grpc.StatusCode.OK
    stale = members_pb2.ChangeMemberStatusRequest(
        request_id=str(uuid.uuid4()), member_id=bank.member_id, reason="检查", expected_version=1
    )
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await members.SuspendMember(stale)
    assert exc.value.code() == grpc.StatusCode.ABORTED
