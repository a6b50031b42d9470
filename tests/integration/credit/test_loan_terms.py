"""Loan terms and overdue loans (逾期) over real gRPC and PostgreSQL: the first tranche
starts the term, the service's sweeper marks a late loan once (LoanOverdue on the
outbox, OVERDUE in its history), and `overdue` lists each party's late loans."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import date, timedelta

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60_credit.domain.calendar import add_months
from g60_credit.service_layer.financing_handlers import mark_overdue_loans
from g60common.db import apply_schema
from g60common.grpc_errors import error_reason_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    SCHEMA,
    CreditWorld,
    as_bank,
    as_enterprise,
    restart_credit,
    rid,
    sweep_until,
    system_uow,
    today,
)
from tests.integration.credit.outbox_checks import (
    application_events,
    assert_exactly_once,
    committed_versions,
    events_on_kafka,
    unpublished,
)

pytestmark = pytest.mark.integration


async def _get(
    world: CreditWorld, who: str, app_id: str, *, bank: bool
) -> credit_pb2.FinancingApplication:
    caller = as_bank(who) if bank else as_enterprise(who)
    app: credit_pb2.FinancingApplication = await world.credit.GetFinancingApplication(
        credit_pb2.GetFinancingApplicationRequest(application_id=app_id),
        metadata=caller,
        timeout=DEADLINE_S,
    )
    return app


async def _matured(db: asyncpg.Pool, app_id: str, maturity: date) -> None:
    """Moves the loan's term back so it matured on `maturity` (the clock stays today)."""
    await db.execute(
        "UPDATE financing_applications SET first_drawn_on = $2, maturity_date = $3 "
        "WHERE application_id = $1",
        app_id,
        maturity - timedelta(days=365),
        maturity,
    )


async def _overdue_ids(world: CreditWorld, caller: tuple[tuple[str, str], ...]) -> set[str]:
    page = await world.credit.ListFinancingApplications(
        credit_pb2.ListFinancingApplicationsRequest(overdue=True, page_size=500),
        metadata=caller,
        timeout=DEADLINE_S,
    )
    return {a.application_id for a in page.applications}


async def test_the_first_tranche_starts_the_term_and_later_tranches_share_it(
    world: CreditWorld,
) -> None:
    bank, ent, app_id = await world.loan()
    await world.draw(bank, app_id, 50_000)
    app = await _get(world, ent, app_id, bank=False)
    assert app.first_drawn_on == today().isoformat()
    assert app.maturity_date == add_months(today(), 12).isoformat()
    assert app.overdue_since == ""
    assert (await _get(world, bank, app_id, bank=True)).maturity_date == app.maturity_date


async def test_the_sweeper_marks_a_late_loan_once_and_each_party_lists_it(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    bank, ent, app_id = await world.loan()
    other_bank = await world.member()
    await _matured(db, app_id, today() - timedelta(days=3))
    # The overdue list goes by the date, before and after the sweeper's mark.
    assert app_id in await _overdue_ids(world, as_bank(bank))
    deadline = time.monotonic() + 20
    while not (app := await _get(world, ent, app_id, bank=False)).overdue_since:
        assert time.monotonic() < deadline, "the sweeper did not mark the loan overdue"
        await asyncio.sleep(0.2)
    assert app.overdue_since == (today() - timedelta(days=2)).isoformat()
    assert app_id in await _overdue_ids(world, as_enterprise(ent))
    assert app_id not in await _overdue_ids(world, as_bank(other_bank))
    await asyncio.sleep(1.5)  # three more sweeps: still marked once
    assert await application_events(db, app_id) == [
        ("FinancingApplied", 1),
        ("FinancingApproved", 2),
        ("LoanOverdue", 3),
    ]
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    overdue = history.entries[-1]
    assert (overdue.action, overdue.actor) == ("OVERDUE", "system:overdue-sweeper")
    assert overdue.application.overdue_since == app.overdue_since

    await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(request_id=rid(), application_id=app_id, amount_fen=100_000),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    # Repaid: no longer listed as overdue, but the record that it was late stays.
    assert app_id not in await _overdue_ids(world, as_bank(bank))
    assert (await _get(world, ent, app_id, bank=False)).overdue_since == app.overdue_since
    # Past maturity, no new tranche, even with the approval not used up.
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.draw(bank, app_id, 1_000)
    assert refused.value.code() is grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason_of(refused.value) == "LoanMatured"


async def test_concurrent_sweepers_and_repayments_mark_each_late_loan_at_most_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """Four sweepers in this process race the service's own and a full repayment of
    every other loan: each loan is marked at most once, every loan still owing is
    marked, and none is marked after it was repaid in full."""
    loans = await asyncio.gather(*(world.loan() for _ in range(12)))
    for _, _, app_id in loans:
        await _matured(db, app_id, today() - timedelta(days=1))
    repaid, owing = loans[::2], loans[1::2]

    async def sweep() -> None:
        while await mark_overdue_loans(system_uow(db), today(), 2):
            pass

    await asyncio.gather(*(sweep() for _ in range(4)), *(world.repay(b, a) for b, _, a in repaid))

    async def all_owing_marked() -> bool:
        return all([await _marks(db, app_id) for _, _, app_id in owing])

    # Whatever a repayment or the service's own sweeper held locked.
    await sweep_until(sweep, all_owing_marked)
    for _, _, app_id in owing:
        assert await _marks(db, app_id) == [("LoanOverdue", 3)]
    for _, _, app_id in repaid:
        assert await _marks(db, app_id) in ([], [("LoanOverdue", 3)])
        actions = await db.fetch(
            "SELECT action FROM credit_audit WHERE aggregate_type = 'FinancingApplication' "
            "AND aggregate_id = $1 AND action IN ('OVERDUE', 'REPAY') ORDER BY audit_id",
            app_id,
        )
        # Marked before the repayment or not at all: never once nothing was owed.
        assert [r["action"] for r in actions] in (["REPAY"], ["OVERDUE", "REPAY"])


async def _marks(db: asyncpg.Pool, app_id: str) -> list[tuple[str, int]]:
    return [e for e in await application_events(db, app_id) if e[0] == "LoanOverdue"]


async def test_loans_drawn_before_terms_get_them_from_their_first_drawdown(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    _, ent, app_id = await world.loan()
    await db.execute(
        "UPDATE financing_applications SET first_drawn_on = NULL, maturity_date = NULL "
        "WHERE application_id = $1",
        app_id,
    )
    await apply_schema(db, SCHEMA)  # what the service does on its next start
    app = await _get(world, ent, app_id, bank=False)
    assert app.first_drawn_on == today().isoformat()
    assert app.maturity_date == add_months(today(), 12).isoformat()


async def test_overdue_marks_reach_kafka_once_when_the_service_is_killed_mid_sweep(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """The relay is held (a lock on its batch counter) while the service's sweeper marks
    late loans; SIGKILL once some marks are committed. After the restart every loan is
    marked exactly once and Kafka holds every committed event of theirs once."""
    loans = await asyncio.gather(*(world.loan() for _ in range(20)))
    app_ids = {app_id for _, _, app_id in loans}
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        await db.execute(
            "UPDATE financing_applications SET maturity_date = $2 "
            "WHERE application_id = ANY($1::uuid[])",
            list(app_ids),
            today() - timedelta(days=1),
        )
        await _until(lambda: _marked_count(db, app_ids), at_least=1)
        world.services["credit"].kill()
        assert await unpublished(blocker, app_ids) >= 1
        await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    await restart_credit(world)
    await _until(lambda: _marked_count(db, app_ids), at_least=len(app_ids))

    for app_id in app_ids:
        assert await _marks(db, app_id) == [("LoanOverdue", 3)]
    committed = await committed_versions(world, app_ids)
    assert_exactly_once(committed, await events_on_kafka(world, app_ids, len(committed)))


async def _marked_count(db: asyncpg.Pool, app_ids: set[str]) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM financing_applications "
        "WHERE application_id = ANY($1::uuid[]) AND overdue_since IS NOT NULL",
        list(app_ids),
    )
    return count


async def _until(count: Callable[[], Awaitable[int]], at_least: int) -> None:
    deadline = time.monotonic() + 30
    while await count() < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} loans were marked"
        await asyncio.sleep(0.05)
