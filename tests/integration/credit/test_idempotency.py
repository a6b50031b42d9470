"""Retries with one request id: one row, one event, identical responses."""

from __future__ import annotations

import asyncio

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60common.grpc_errors import field_violations_of

from tests.integration.credit.helpers import DEADLINE_S, CreditWorld, as_bank, rid

pytestmark = pytest.mark.integration


async def _credit_db(world: CreditWorld) -> asyncpg.Connection:
    return await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])


async def test_five_concurrent_retries_of_a_drawdown_write_once(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    app = await world.approved_application(bank, ent, line.credit_line_id, 500_000)
    request_id = rid()
    replies = await asyncio.gather(
        *(world.draw(bank, app.application_id, 70_000, request_id) for _ in range(5))
    )
    assert len({r.SerializeToString(deterministic=True) for r in replies}) == 1
    conn = await _credit_db(world)
    try:
        movements = await conn.fetchval(
            "SELECT count(*) FROM credit_movements WHERE application_id = $1",
            app.application_id,
        )
        events = await conn.fetchval(
            """SELECT count(*) FROM outbox
               WHERE aggregate_id = $1 AND event_type = 'FundsDisbursed'""",
            line.credit_line_id,
        )
    finally:
        await conn.close()
    assert (movements, events) == (1, 1)
    assert (await world.get_line(bank, line.credit_line_id)).utilized_fen == 70_000


async def test_same_request_id_with_other_content_is_rejected(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    app = await world.approved_application(bank, ent, line.credit_line_id, 500_000)
    request_id = rid()
    await world.draw(bank, app.application_id, 10_000, request_id)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.draw(bank, app.application_id, 20_000, request_id)
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "request_id" in field_violations_of(refused.value)
    assert (await world.get_line(bank, line.credit_line_id)).utilized_fen == 10_000


async def test_request_ids_are_scoped_to_the_caller(world: CreditWorld) -> None:
    """Two banks may use the same id for different lines without colliding."""
    request_id = rid()
    ent = await world.enterprise()
    lines = []
    for bank in (await world.member(), await world.member()):
        lines.append(
            await world.credit.FreezeCreditLine(
                credit_pb2.ChangeCreditLineStatusRequest(
                    request_id=request_id,
                    credit_line_id=(await world.line(bank, ent)).credit_line_id,
                ),
                metadata=as_bank(bank),
                timeout=DEADLINE_S,
            )
        )
    assert [x.status for x in lines] == ["FROZEN", "FROZEN"]


async def test_five_concurrent_retries_of_a_registration_write_once(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    request = credit_pb2.RegisterCreditLineRequest(
        request_id=rid(),
        enterprise_id=ent,
        product="IP_PLEDGE",
        currency="CNY",
        limit_fen=5_000_000,
        revolving=False,
        valid_from="2026-01-01",
        valid_to="2028-12-31",
    )
    replies = await asyncio.gather(
        *(
            world.credit.RegisterCreditLine(request, metadata=as_bank(bank), timeout=DEADLINE_S)
            for _ in range(5)
        )
    )
    assert len({r.SerializeToString(deterministic=True) for r in replies}) == 1
    conn = await _credit_db(world)
    try:
        lines = await conn.fetchval(
            "SELECT count(*) FROM credit_lines WHERE enterprise_id = $1", ent
        )
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE aggregate_id = $1", replies[0].credit_line_id
        )
    finally:
        await conn.close()
    assert (lines, events) == (1, 1)
