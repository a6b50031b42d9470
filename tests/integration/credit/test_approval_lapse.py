"""Approvals lapse undrawn (审批有效期) over real gRPC and PostgreSQL: the service's
sweeper closes a backdated approval once (FinancingClosed, LAPSE in its history), a
drawn one never lapses, approvals made before the column get their date from the
audit trail, and sweepers racing drawdowns never both close and draw."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60_credit.service_layer.approval_lapse import lapse_undrawn_approvals
from g60common.db import apply_schema
from g60common.grpc_errors import error_reason_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    SCHEMA,
    CreditWorld,
    as_bank,
    as_enterprise,
    system_uow,
    today,
)
from tests.integration.credit.outbox_checks import application_events

pytestmark = pytest.mark.integration
VALID_DAYS = 90  # the service's default


def lapsed_on() -> date:
    """An approval date this old has lapsed."""
    return today() - timedelta(days=VALID_DAYS + 1)


async def _approval(world: CreditWorld) -> tuple[str, str, str]:
    """(bank, enterprise, application id) of an approval made today, nothing drawn."""
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, limit_fen=1_000_000)
    app = await world.approved_application(bank, ent, line.credit_line_id, 500_000)
    return bank, ent, app.application_id


async def _approved_on(db: asyncpg.Pool, app_ids: list[str], day: date | None) -> None:
    """Moves the approvals' date (the clock stays today)."""
    await db.execute(
        "UPDATE financing_applications SET approved_on = $2 WHERE application_id = ANY($1::uuid[])",
        app_ids,
        day,
    )


async def _get(world: CreditWorld, ent: str, app_id: str) -> credit_pb2.FinancingApplication:
    app: credit_pb2.FinancingApplication = await world.credit.GetFinancingApplication(
        credit_pb2.GetFinancingApplicationRequest(application_id=app_id),
        metadata=as_enterprise(ent),
        timeout=DEADLINE_S,
    )
    return app


async def _closes(db: asyncpg.Pool, app_id: str) -> list[tuple[str, int]]:
    return [e for e in await application_events(db, app_id) if e[0] == "FinancingClosed"]


async def _refused_drawdown(world: CreditWorld, bank: str, app_id: str) -> str:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.draw(bank, app_id, 1_000)
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    return error_reason_of(refused.value)


async def test_the_service_s_sweeper_closes_a_lapsed_approval_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    bank, ent, app_id = await _approval(world)
    assert (await _get(world, ent, app_id)).approved_on == today().isoformat()
    await _approved_on(db, [app_id], lapsed_on())
    deadline = time.monotonic() + 20
    while (app := await _get(world, ent, app_id)).status != "CLOSED":
        assert time.monotonic() < deadline, "the sweeper did not close the lapsed approval"
        await asyncio.sleep(0.2)
    assert (app.approved_on, app.disbursed_fen) == (lapsed_on().isoformat(), 0)
    await asyncio.sleep(1.5)  # three more sweeps: still closed once
    assert await application_events(db, app_id) == [
        ("FinancingApplied", 1),
        ("FinancingApproved", 2),
        ("FinancingClosed", 3),
    ]
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    lapse = history.entries[-1]
    assert (lapse.action, lapse.actor) == ("LAPSE", "system:approval-sweeper")
    assert lapse.application.status == "CLOSED" and lapse.application.version == 3
    request_id = await db.fetchval(
        "SELECT request_id FROM credit_audit WHERE aggregate_id = $1 AND action = 'LAPSE'",
        app_id,
    )
    assert request_id == f"lapse:{lapsed_on().isoformat()}"
    assert await _refused_drawdown(world, bank, app_id) == "ApplicationNotDrawable"
    closed = await world.credit.ListFinancingApplications(
        credit_pb2.ListFinancingApplicationsRequest(status="CLOSED", page_size=500),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    assert [a.application_id for a in closed.applications] == [app_id]


async def test_a_drawn_approval_never_lapses(world: CreditWorld, db: asyncpg.Pool) -> None:
    bank, ent, app_id = await _approval(world)
    await world.draw(bank, app_id, 100_000)
    await _approved_on(db, [app_id], today() - timedelta(days=10 * VALID_DAYS))
    await _sweep(db)
    await asyncio.sleep(1.5)  # and three of the service's own rounds
    app = await _get(world, ent, app_id)
    assert (app.status, app.disbursed_fen) == ("DISBURSED", 100_000)
    assert await _closes(db, app_id) == []


async def test_approvals_made_before_the_column_get_the_date_of_their_approval(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    _, ent, app_id = await _approval(world)
    await _approved_on(db, [app_id], None)
    await apply_schema(db, SCHEMA)  # what the service does on its next start
    assert (await _get(world, ent, app_id)).approved_on == today().isoformat()


async def test_sweepers_racing_drawdowns_either_close_or_draw_each_approval(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """Four sweepers in this process and the service's own race a drawdown on each of
    twelve lapsed approvals: each ends drawn (DISBURSED, never closed) or closed
    undrawn (one FinancingClosed, its drawdown refused), never both."""
    approvals = await asyncio.gather(*(_approval(world) for _ in range(12)))
    await _approved_on(db, [app_id for _, _, app_id in approvals], lapsed_on())

    async def draw(bank: str, app_id: str) -> bool:
        try:
            await world.draw(bank, app_id, 100_000)
        except grpc.aio.AioRpcError as refused:
            assert error_reason_of(refused) == "ApplicationNotDrawable"
            return False
        return True

    drawn, *_ = await asyncio.gather(
        asyncio.gather(*(draw(bank, app_id) for bank, _, app_id in approvals)),
        *(_sweep(db) for _ in range(4)),
    )
    await _sweep(db)  # whatever a drawdown held locked and then left undrawn
    for was_drawn, (_, ent, app_id) in zip(drawn, approvals, strict=True):
        app = await _get(world, ent, app_id)
        if was_drawn:
            assert (app.status, app.disbursed_fen) == ("DISBURSED", 100_000)
            assert await _closes(db, app_id) == []
        else:
            assert (app.status, app.disbursed_fen) == ("CLOSED", 0)
            assert await _closes(db, app_id) == [("FinancingClosed", 3)]


async def _sweep(db: asyncpg.Pool) -> None:
    while await lapse_undrawn_approvals(system_uow(db), today(), VALID_DAYS, 2):
        pass
