"""Self-registration and the enterprise lifecycle on the real service and database:
states and events on the topic, one winner among concurrent decisions, idempotent
retries, and a rejected sign-up freeing its USCC."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

import asyncpg
import grpc
import pytest
from g60.events.v1 import member_events_pb2
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.events import unpack_payload
from g60common.grpc_errors import error_reason_of, field_violations_of
from g60common.stack import StackEndpoints
from members_helpers import decision_request, member_events, self_registration_request

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="session")]
Stub = members_pb2_grpc.MembersServiceStub
CONTENDERS = 8
SIGNUP = (("x-g60-caller-type", "signup"), ("x-g60-caller-id", "203.0.113.7"))


async def _code(call: object) -> tuple[grpc.StatusCode, str]:
    try:
        await call  # type: ignore[misc]
    except grpc.aio.AioRpcError as exc:
        return exc.code(), error_reason_of(exc)
    return grpc.StatusCode.OK, ""


async def test_sign_up_verify_deregister_and_reject_reach_the_topic(
    members: Stub, stack: StackEndpoints
) -> None:
    firm = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    assert (firm.status, firm.version, firm.contact) == (
        "PENDING_VERIFICATION",
        1,
        "王女士 0553-1234567",
    )
    verified = await members.VerifyEnterprise(decision_request(firm.enterprise_id, 1))
    gone = await members.DeregisterEnterprise(decision_request(firm.enterprise_id, 2))
    assert (verified.status, gone.status, gone.version) == ("ACTIVE", "DEREGISTERED", 3)
    other = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    rejected = await members.RejectEnterprise(decision_request(other.enterprise_id))
    assert (rejected.status, rejected.version) == ("REJECTED", 2)

    events = await member_events(
        stack.kafka_bootstrap, {firm.enterprise_id, other.enterprise_id}, 5
    )
    seen = sorted((e.aggregate_id, e.event_type, e.aggregate_version) for e in events)
    assert seen == sorted(
        [
            (firm.enterprise_id, "EnterpriseRegistered", 1),
            (firm.enterprise_id, "EnterpriseVerified", 2),
            (firm.enterprise_id, "EnterpriseDeregistered", 3),
            (other.enterprise_id, "EnterpriseRegistered", 1),
            (other.enterprise_id, "EnterpriseRejected", 2),
        ]
    )
    registered = next(e for e in events if e.event_type == "EnterpriseRegistered")
    payload = unpack_payload(registered, member_events_pb2.EnterpriseRegistered)
    assert payload.enterprise.status == "PENDING_VERIFICATION"
    assert payload.enterprise.contact == ""  # personal data stays out of the topic
    verified_event = next(e for e in events if e.event_type == "EnterpriseVerified")
    reason = unpack_payload(verified_event, member_events_pb2.EnterpriseVerified).reason
    assert reason == "营业执照与法人身份核验"


async def test_concurrent_decisions_on_one_version_have_one_winner(
    members: Stub, members_db: asyncpg.Connection
) -> None:
    firm = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    racing = [
        members.VerifyEnterprise(decision_request(firm.enterprise_id, 1))
        for _ in range(CONTENDERS // 2)
    ] + [
        members.RejectEnterprise(decision_request(firm.enterprise_id, 1))
        for _ in range(CONTENDERS // 2)
    ]
    results = await asyncio.gather(*(_code(call) for call in racing))
    assert Counter(code.name for code, _ in results) == {"OK": 1, "ABORTED": CONTENDERS - 1}
    assert {reason for code, reason in results if code != grpc.StatusCode.OK} == {"STALE_VERSION"}
    events = await members_db.fetchval(
        "SELECT count(*) FROM outbox WHERE aggregate_id = $1", firm.enterprise_id
    )
    assert events == 2  # registered + the one winning decision


async def test_without_expected_version_the_losers_meet_the_lifecycle(members: Stub) -> None:
    firm = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    racing = [
        members.VerifyEnterprise(decision_request(firm.enterprise_id)) for _ in range(CONTENDERS)
    ]
    results = await asyncio.gather(*(_code(call) for call in racing))
    assert Counter(code.name for code, _ in results) == {
        "OK": 1,
        "FAILED_PRECONDITION": CONTENDERS - 1,
    }
    assert {r for c, r in results if c != grpc.StatusCode.OK} == {"EnterpriseNotPending"}


async def test_decision_retry_replays_and_writes_nothing(
    members: Stub, members_db: asyncpg.Connection
) -> None:
    firm = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    request = decision_request(firm.enterprise_id, 1, request_id=f"verify-{uuid.uuid4()}")
    first = await members.VerifyEnterprise(request)
    call = members.VerifyEnterprise(request)
    again = await call
    assert again == first and first.version == 2
    assert ("x-g60-idempotent-replay", "true") in tuple(await call.trailing_metadata() or ())
    changed = members_pb2.ChangeEnterpriseStatusRequest()
    changed.CopyFrom(request)
    changed.reason = "另一个理由"
    with pytest.raises(grpc.aio.AioRpcError) as conflict:
        await members.VerifyEnterprise(changed)
    assert conflict.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations_of(conflict.value)) == {"request_id"}
    events = await members_db.fetchval(
        "SELECT count(*) FROM outbox WHERE aggregate_id = $1", firm.enterprise_id
    )
    assert events == 2


async def test_sign_up_retry_replays_per_caller(members: Stub) -> None:
    request = self_registration_request()
    first = await members.SelfRegisterEnterprise(request, metadata=SIGNUP)
    assert await members.SelfRegisterEnterprise(request, metadata=SIGNUP) == first
    elsewhere = (("x-g60-caller-type", "signup"), ("x-g60-caller-id", "198.51.100.9"))
    code, reason = await _code(members.SelfRegisterEnterprise(request, metadata=elsewhere))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "DUPLICATE_USCC")


async def test_bad_sign_up_names_every_field_and_writes_nothing(
    members: Stub, members_db: asyncpg.Connection
) -> None:
    before = await members_db.fetchval("SELECT count(*) FROM enterprises")
    bad = self_registration_request(
        uscc="91350100M000100Y44", city="361100", size_class="LARGE", contact=""
    )
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await members.SelfRegisterEnterprise(bad, metadata=SIGNUP)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations_of(exc.value)) == {"uscc", "city", "size_class", "contact"}
    assert await members_db.fetchval("SELECT count(*) FROM enterprises") == before


async def test_rejection_frees_the_uscc_but_deregistration_does_not(members: Stub) -> None:
    squatter = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    again = self_registration_request(uscc=squatter.uscc)
    code, reason = await _code(members.SelfRegisterEnterprise(again, metadata=SIGNUP))
    assert (code, reason) == (grpc.StatusCode.ALREADY_EXISTS, "DUPLICATE_USCC")
    await members.RejectEnterprise(decision_request(squatter.enterprise_id))
    real = await members.SelfRegisterEnterprise(again, metadata=SIGNUP)
    assert real.enterprise_id != squatter.enterprise_id and real.uscc == squatter.uscc

    await members.VerifyEnterprise(decision_request(real.enterprise_id))
    await members.DeregisterEnterprise(decision_request(real.enterprise_id))
    third = self_registration_request(uscc=real.uscc)
    code, _ = await _code(members.SelfRegisterEnterprise(third, metadata=SIGNUP))
    assert code == grpc.StatusCode.ALREADY_EXISTS


async def test_lifecycle_refusals_and_pending_listing(members: Stub) -> None:
    firm = await members.SelfRegisterEnterprise(self_registration_request(), metadata=SIGNUP)
    code, reason = await _code(members.DeregisterEnterprise(decision_request(firm.enterprise_id)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "EnterpriseNotActive")
    unknown = decision_request("00000000-0000-0000-0000-000000000000")
    assert (await _code(members.VerifyEnterprise(unknown)))[0] == grpc.StatusCode.NOT_FOUND
    pending = await members.ListEnterprises(
        members_pb2.ListEnterprisesRequest(
            status="PENDING_VERIFICATION", city="340200", page_size=500
        )
    )
    assert firm.enterprise_id in {e.enterprise_id for e in pending.enterprises}
    assert {e.status for e in pending.enterprises} == {"PENDING_VERIFICATION"}
    await members.RejectEnterprise(decision_request(firm.enterprise_id))
    code, reason = await _code(members.VerifyEnterprise(decision_request(firm.enterprise_id)))
    assert (code, reason) == (grpc.StatusCode.FAILED_PRECONDITION, "EnterpriseStatusIsFinal")
