"""Amend, freeze, unfreeze, close, expire, audit and listing over real gRPC."""

from __future__ import annotations

import asyncio
import json
import time

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60common.grpc_errors import error_reason_of, field_violations_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    CreditWorld,
    as_bank,
    as_enterprise,
    rid,
    today,
)

pytestmark = pytest.mark.integration


def _status_request(line_id: str) -> credit_pb2.ChangeCreditLineStatusRequest:
    return credit_pb2.ChangeCreditLineStatusRequest(
        request_id=rid(), credit_line_id=line_id, reason="test"
    )


async def _amend(
    world: CreditWorld, bank: str, line_id: str, limit_fen: int
) -> credit_pb2.CreditLine:
    line: credit_pb2.CreditLine = await world.credit.AmendCreditLimit(
        credit_pb2.AmendCreditLimitRequest(
            request_id=rid(), credit_line_id=line_id, new_limit_fen=limit_fen, reason="review"
        ),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    return line


async def _refused(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call  # type: ignore[misc]
    return caught.value


async def test_amend_freeze_unfreeze_close_with_audit(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, 1_000_000, revolving=False)
    line_id = line.credit_line_id
    app = await world.approved_application(bank, ent, line_id, 600_000)
    await world.draw(bank, app.application_id, 600_000)

    below = await _refused(_amend(world, bank, line_id, 500_000))
    assert below.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason_of(below) == "LimitBelowUsage"
    raised = await _amend(world, bank, line_id, 2_000_000)
    assert (raised.limit_fen, raised.available_fen, raised.version) == (2_000_000, 1_400_000, 3)

    frozen = await world.credit.FreezeCreditLine(_status_request(line_id), metadata=as_bank(bank))
    assert frozen.status == "FROZEN"
    refused = await _refused(world.draw(bank, app.application_id, 1))
    assert error_reason_of(refused) == "CreditLineFrozen"
    active = await world.credit.UnfreezeCreditLine(_status_request(line_id), metadata=as_bank(bank))
    assert active.status == "ACTIVE"

    outstanding = await _refused(
        world.credit.CloseCreditLine(_status_request(line_id), metadata=as_bank(bank))
    )
    assert error_reason_of(outstanding) == "OutstandingPrincipal"
    repaid = await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(
            request_id=rid(), application_id=app.application_id, amount_fen=600_000
        ),
        metadata=as_bank(bank),
    )
    # Non-revolving: repaid principal does not come back as available credit.
    assert (repaid.credit_line.utilized_fen, repaid.credit_line.outstanding_fen) == (600_000, 0)
    assert repaid.application.status == "REPAID"
    closed = await world.credit.CloseCreditLine(_status_request(line_id), metadata=as_bank(bank))
    assert closed.status == "CLOSED"

    audit = await world.credit.ListCreditLineAudit(
        credit_pb2.ListCreditLineAuditRequest(credit_line_id=line_id, page_size=4),
        metadata=as_bank(bank),
    )
    more = await world.credit.ListCreditLineAudit(
        credit_pb2.ListCreditLineAuditRequest(
            credit_line_id=line_id, page_token=audit.next_page_token
        ),
        metadata=as_bank(bank),
    )
    entries = [*audit.entries, *more.entries]
    actions = [e.action for e in entries]
    assert actions == ["REGISTER", "DRAWDOWN", "AMEND", "FREEZE", "UNFREEZE", "REPAY", "CLOSE"]
    assert all(e.actor == f"bank:{bank}" and e.request_id for e in entries)
    amend = entries[2]
    assert json.loads(amend.before_json)["limit_fen"] == 1_000_000
    assert json.loads(amend.after_json)["limit_fen"] == 2_000_000


async def test_another_banks_line_is_not_found(world: CreditWorld) -> None:
    bank, other, ent = await world.member(), await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    for call in (
        world.credit.GetCreditLine(
            credit_pb2.GetCreditLineRequest(credit_line_id=line.credit_line_id),
            metadata=as_bank(other),
        ),
        world.credit.FreezeCreditLine(
            _status_request(line.credit_line_id), metadata=as_bank(other)
        ),
        world.credit.ListCreditLineAudit(
            credit_pb2.ListCreditLineAuditRequest(credit_line_id=line.credit_line_id),
            metadata=as_bank(other),
        ),
    ):
        assert (await _refused(call)).code() == grpc.StatusCode.NOT_FOUND
    as_ent = await _refused(
        world.credit.FreezeCreditLine(
            _status_request(line.credit_line_id), metadata=as_enterprise(ent)
        )
    )
    assert as_ent.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_non_cny_and_bad_amounts_are_field_errors(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    refused = await _refused(
        world.credit.ApplyForFinancing(
            credit_pb2.ApplyForFinancingRequest(
                request_id=rid(), bank_id=bank, currency="USD", amount_fen=0, term_months=0
            ),
            metadata=as_enterprise(ent),
        )
    )
    assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations_of(refused)) == {"currency", "amount_fen", "term_months", "purpose"}
    bad_line = await _refused(world.line(bank, "not-a-uuid", 0))
    assert bad_line.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert {"limit_fen"} <= set(field_violations_of(bad_line))
    bad_party = await _refused(world.line(bank, "not-a-uuid"))
    assert set(field_violations_of(bad_party)) == {"enterprise_id"}


async def test_list_credit_lines_pages_and_filters(world: CreditWorld) -> None:
    bank, ent, other_ent = await world.member(), await world.enterprise(), await world.enterprise()
    mine = {(await world.line(bank, ent)).credit_line_id for _ in range(3)}
    await world.line(bank, other_ent)
    seen: list[str] = []
    token = ""
    while True:
        page = await world.credit.ListCreditLines(
            credit_pb2.ListCreditLinesRequest(enterprise_id=ent, page_size=2, page_token=token),
            metadata=as_bank(bank),
        )
        seen += [x.credit_line_id for x in page.credit_lines]
        token = page.next_page_token
        if not token:
            break
    assert sorted(seen) == sorted(mine)


async def test_sweeper_expires_lines_past_their_window(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    past = today().replace(year=today().year - 1)
    line = await world.line(bank, ent, valid_from=past.isoformat(), valid_to=past.isoformat())
    deadline = time.monotonic() + 20
    while (await world.get_line(bank, line.credit_line_id)).status != "EXPIRED":
        assert time.monotonic() < deadline, "the sweeper did not expire the line"
        await asyncio.sleep(0.2)
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        events = await conn.fetch(
            "SELECT event_type, aggregate_version FROM outbox WHERE aggregate_id = $1 "
            "ORDER BY aggregate_version",
            line.credit_line_id,
        )
    finally:
        await conn.close()
    assert [(e["event_type"], e["aggregate_version"]) for e in events] == [
        ("CreditLineRegistered", 1),
        ("CreditLineExpired", 2),
    ]
