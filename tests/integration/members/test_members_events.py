"""Every state change reaches the members topic exactly once, with its version; retries
write nothing; errors map to their statuses."""

from __future__ import annotations

import asyncpg
import grpc
import httpx
import pytest
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.grpc_errors import field_violations_of
from g60common.stack import StackEndpoints
from google.protobuf.field_mask_pb2 import FieldMask
from members_helpers import bank_request, enterprise_request, member_events, new_uscc, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
Stub = members_pb2_grpc.MembersServiceStub


def status_request(member_id: str, tag: str) -> members_pb2.ChangeMemberStatusRequest:
    return members_pb2.ChangeMemberStatusRequest(
        request_id=f"{tag}-{member_id}", member_id=member_id, reason="联盟理事会决议"
    )


async def test_each_change_lands_once_with_its_version(
    members: Stub, stack: StackEndpoints
) -> None:
    bank = await members.RegisterMember(bank_request())
    await members.UpdateMember(
        members_pb2.UpdateMemberRequest(
            request_id=f"upd-{bank.member_id}",
            member_id=bank.member_id,
            expected_version=1,
            member=members_pb2.Member(contact="王经理 0571-7654321"),
            update_mask=FieldMask(paths=["contact"]),
        )
    )
    await members.SuspendMember(status_request(bank.member_id, "suspend"))
    await members.ReinstateMember(status_request(bank.member_id, "reinstate"))
    withdrawn = await members.WithdrawMember(status_request(bank.member_id, "withdraw"))
    firm = await members.RegisterEnterprise(enterprise_request())
    await members.UpdateEnterprise(
        members_pb2.UpdateEnterpriseRequest(
            request_id=f"upd-{firm.enterprise_id}",
            enterprise_id=firm.enterprise_id,
            expected_version=1,
            enterprise=members_pb2.Enterprise(size_class="MEDIUM"),
            update_mask=FieldMask(paths=["size_class"]),
        )
    )

    events = await member_events(stack.kafka_bootstrap, {bank.member_id, firm.enterprise_id}, 7)

    seen = [(e.aggregate_id, e.event_type, e.aggregate_version) for e in events]
    assert sorted(seen) == sorted(
        [
            (bank.member_id, "MemberRegistered", 1),
            (bank.member_id, "MemberUpdated", 2),
            (bank.member_id, "MemberSuspended", 3),
            (bank.member_id, "MemberReinstated", 4),
            (bank.member_id, "MemberWithdrawn", 5),
            (firm.enterprise_id, "EnterpriseRegistered", 1),
            (firm.enterprise_id, "EnterpriseUpdated", 2),
        ]
    )
    assert withdrawn.version == 5 and withdrawn.status == "WITHDRAWN"
    # One key per aggregate keeps them on one partition, in version order.
    bank_versions = [e.aggregate_version for e in events if e.aggregate_id == bank.member_id]
    assert bank_versions == [1, 2, 3, 4, 5]


async def _counts(db: asyncpg.Connection) -> tuple[int, int, int]:
    row = await db.fetchrow(
        """SELECT (SELECT count(*) FROM members) AS m, (SELECT count(*) FROM outbox) AS o,
                  (SELECT count(*) FROM idempotency_keys) AS k"""
    )
    assert row is not None
    return row["m"], row["o"], row["k"]


async def test_idempotent_retry_writes_nothing_new(
    members: Stub, members_db: asyncpg.Connection
) -> None:
    request = bank_request()
    first = await members.RegisterMember(request)
    before = await _counts(members_db)

    call = members.RegisterMember(request)
    again = await call
    assert again == first
    assert ("x-g60-idempotent-replay", "true") in tuple(await call.trailing_metadata() or ())

    changed = members_pb2.RegisterMemberRequest()
    changed.CopyFrom(request)
    changed.name = "另一家银行"
    with pytest.raises(grpc.aio.AioRpcError) as conflict:
        await members.RegisterMember(changed)
    assert conflict.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations_of(conflict.value)) == {"request_id"}
    assert await _counts(members_db) == before


async def _status(call: object) -> tuple[grpc.StatusCode, dict[str, str]]:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as exc:
        return exc.code(), field_violations_of(exc)
    raise AssertionError("expected the call to fail")


async def test_errors_map_to_statuses(members: Stub) -> None:
    bank = await members.RegisterMember(bank_request())
    duplicate = bank_request(uscc=bank.uscc)
    assert (await _status(members.RegisterMember(duplicate)))[0] == grpc.StatusCode.ALREADY_EXISTS

    bad = bank_request(uscc="91350100M000100Y44", home_city="361100", name="")
    code, violations = await _status(members.RegisterMember(bad))
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert set(violations) == {"uscc", "home_city", "name"}

    unknown = members_pb2.GetMemberRequest(member_id="00000000-0000-0000-0000-000000000000")
    assert (await _status(members.GetMember(unknown)))[0] == grpc.StatusCode.NOT_FOUND

    await members.WithdrawMember(status_request(bank.member_id, "w"))
    code, _ = await _status(members.ReinstateMember(status_request(bank.member_id, "r")))
    assert code == grpc.StatusCode.FAILED_PRECONDITION


async def test_the_office_registers_an_enterprise_with_its_contact(members: Stub) -> None:
    registered = await members.RegisterEnterprise(enterprise_request(contact="李经理 0573-1234567"))
    assert registered.contact == "李经理 0573-1234567"
    code, violations = await _status(
        members.RegisterEnterprise(enterprise_request(contact="x" * 201))
    )
    assert (code, set(violations)) == (grpc.StatusCode.INVALID_ARGUMENT, {"contact"})


async def test_list_members_filters_and_pages(members: Stub) -> None:
    city = "341800"  # Xuancheng: few other tests register there
    ids = set()
    for _ in range(5):
        member = await members.RegisterMember(bank_request(home_city=city, uscc=new_uscc(city)))
        ids.add(member.member_id)
    seen: list[str] = []
    token = ""
    while True:
        page = await members.ListMembers(
            members_pb2.ListMembersRequest(page_size=2, page_token=token, home_city=city)
        )
        assert len(page.members) <= 2
        seen += [m.member_id for m in page.members]
        token = page.next_page_token
        if not token:
            break
    assert ids <= set(seen) and len(seen) == len(set(seen))
    assert all(m.home_city == city for m in page.members)


async def test_registered_member_gauges(members: Stub, members_env: dict[str, str]) -> None:
    await members.RegisterMember(bank_request(home_city="340100", uscc=new_uscc("340100")))
    url = f"http://127.0.0.1:{members_env['G60_MEMBERS_METRICS_PORT']}/metrics"

    async def gauge_present() -> bool:
        async with httpx.AsyncClient() as client:
            text = (await client.get(url, timeout=2.0)).text
        return 'g60_members_registered{home_city="340100",institution_type="BANK"' in text

    await wait_until(gauge_present, timeout_s=10.0)


async def test_status_change_retry_writes_no_second_event(
    members: Stub, members_db: asyncpg.Connection
) -> None:
    bank = await members.RegisterMember(bank_request())
    request = status_request(bank.member_id, "suspend-once")
    first = await members.SuspendMember(request)
    again = await members.SuspendMember(request)
    assert again == first and first.version == 2
    events = await members_db.fetchval(
        "SELECT count(*) FROM outbox WHERE aggregate_id = $1", bank.member_id
    )
    assert events == 2
