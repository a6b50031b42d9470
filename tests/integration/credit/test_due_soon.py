"""Due-soon reminders (到期提醒) over real gRPC, PostgreSQL and Kafka: the service's
sweeper announces a loan backdated into the notice period once (LoanDueSoon, DUE_SOON
in its history), never one repaid in full or past maturity; sweepers racing
repayments announce each loan at most once; a SIGKILL with the relay held leaves every
reminder on Kafka exactly once; and an old database gets the column and index."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, timedelta

import asyncpg
import pytest
from g60.credit.v1 import credit_pb2
from g60.events.v1 import credit_events_pb2 as pb
from g60_credit.adapters.application_repository import PgApplicationRepository
from g60_credit.domain.calendar import business_date
from g60_credit.service_layer.due_soon import announce_loans_due_soon
from g60common.db import apply_schema
from g60common.events import decode_envelope

from tests.integration.credit.helpers import (
    DEADLINE_S,
    SCHEMA,
    CreditWorld,
    as_bank,
    as_enterprise,
    restart_credit,
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
NOTICE_DAYS = 7  # the service's default
DRAWN_FEN = 100_000


async def _maturing(db: asyncpg.Pool, app_ids: list[str], maturity: date) -> None:
    """Moves the loans' term so they mature on `maturity` (the clock stays today). The
    service's sweeper may announce them from the moment this commits."""
    await db.execute(
        "UPDATE financing_applications SET first_drawn_on = $2, maturity_date = $3 "
        "WHERE application_id = ANY($1::uuid[])",
        app_ids,
        maturity - timedelta(days=365),
        maturity,
    )


async def _reminders(db: asyncpg.Pool, app_id: str) -> list[tuple[str, int]]:
    return [e for e in await application_events(db, app_id) if e[0] == "LoanDueSoon"]


async def _reminded_count(db: asyncpg.Pool, app_ids: list[str]) -> int:
    count: int = await db.fetchval(
        "SELECT count(*) FROM financing_applications "
        "WHERE application_id = ANY($1::uuid[]) AND due_soon_notified_for IS NOT NULL",
        app_ids,
    )
    return count


async def _until(count: Callable[[], Awaitable[int]], at_least: int) -> None:
    deadline = time.monotonic() + 30
    while await count() < at_least:
        assert time.monotonic() < deadline, f"fewer than {at_least} loans were announced"
        await asyncio.sleep(0.05)


async def _due_soon_payload(db: asyncpg.Pool, app_id: str) -> tuple[pb.LoanDueSoon, date]:
    """The committed LoanDueSoon of the loan, and the Shanghai date it was announced."""
    raw = await db.fetchval(
        "SELECT envelope FROM outbox WHERE aggregate_id = $1 AND event_type = 'LoanDueSoon'",
        app_id,
    )
    envelope = decode_envelope(bytes(raw))
    payload = pb.LoanDueSoon()
    envelope.payload.Unpack(payload)
    return payload, business_date(envelope.occurred_at.ToDatetime(tzinfo=UTC))


async def test_the_sweeper_announces_a_loan_falling_due_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    bank, ent, app_id = await world.loan()
    maturity = today() + timedelta(days=3)
    await _maturing(db, [app_id], maturity)
    await _until(lambda: _reminded_count(db, [app_id]), at_least=1)
    await asyncio.sleep(1.5)  # three more sweeps: still announced once
    assert await application_events(db, app_id) == [
        ("FinancingApplied", 1),
        ("FinancingApproved", 2),
        ("LoanDueSoon", 3),
    ]
    payload, announced_on = await _due_soon_payload(db, app_id)
    assert payload.maturity_date == maturity.isoformat()
    assert payload.days_left == (maturity - announced_on).days
    assert (payload.outstanding_fen, payload.parties.bank_id) == (DRAWN_FEN, bank)

    for reader in (as_enterprise(ent), as_bank(bank)):
        history = await world.credit.ListApplicationHistory(
            credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
            metadata=reader,
            timeout=DEADLINE_S,
        )
        reminder = history.entries[-1]
        assert (reminder.action, reminder.actor) == ("DUE_SOON", "system:due-soon-sweeper")
        assert reminder.application.maturity_date == maturity.isoformat()


async def test_no_reminder_for_a_loan_repaid_in_full_or_past_maturity(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """Moved into the notice period with a loan still owing in the same statement: once
    that one is announced, the sweeper has looked at the date and left the others."""
    loans = await asyncio.gather(*(world.loan() for _ in range(3)))
    (bank, _, repaid), (_, _, late), (_, _, owing) = loans
    await world.repay(bank, repaid, DRAWN_FEN)
    await _maturing(db, [late], today() - timedelta(days=1))
    await _maturing(db, [repaid, owing], today() + timedelta(days=2))
    await _until(lambda: _reminded_count(db, [owing]), at_least=1)
    assert await announce_loans_due_soon(system_uow(db), today(), NOTICE_DAYS, 50) == 0
    assert await _reminders(db, repaid) == []
    assert await _reminders(db, late) == []
    assert await _reminded_count(db, [repaid, late]) == 0


async def test_concurrent_sweepers_and_repayments_announce_each_loan_at_most_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """Four sweepers in this process race the service's own and a full repayment of
    every other loan: each loan is announced at most once, every loan still owing is
    announced, and none after it was repaid in full."""
    loans = await asyncio.gather(*(world.loan() for _ in range(12)))
    await _maturing(db, [a for _, _, a in loans], today() + timedelta(days=2))
    repaid, owing = loans[::2], loans[1::2]

    async def sweep() -> None:
        while await announce_loans_due_soon(system_uow(db), today(), NOTICE_DAYS, 2):
            pass

    await asyncio.gather(
        *(sweep() for _ in range(4)), *(world.repay(b, a, DRAWN_FEN) for b, _, a in repaid)
    )

    async def all_owing_announced() -> bool:
        return all([await _reminders(db, app_id) for _, _, app_id in owing])

    # Whatever a repayment or the service's own sweeper held locked.
    await sweep_until(sweep, all_owing_announced)
    for _, _, app_id in owing:
        assert await _reminders(db, app_id) == [("LoanDueSoon", 3)]
    for _, _, app_id in repaid:
        assert await _reminders(db, app_id) in ([], [("LoanDueSoon", 3)])
        actions = await db.fetch(
            "SELECT action FROM credit_audit WHERE aggregate_type = 'FinancingApplication' "
            "AND aggregate_id = $1 AND action IN ('DUE_SOON', 'REPAY') ORDER BY audit_id",
            app_id,
        )
        # Announced before the repayment or not at all: never once nothing was owed.
        assert [r["action"] for r in actions] in (["REPAY"], ["DUE_SOON", "REPAY"])


async def test_reminders_reach_kafka_once_when_the_service_is_killed_mid_sweep(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """The relay is held (a lock on its batch counter) while the service's sweeper
    announces loans; SIGKILL once some reminders are committed. After the restart every
    loan is announced exactly once and Kafka holds every committed event of theirs once."""
    loans = await asyncio.gather(*(world.loan() for _ in range(20)))
    app_ids = [app_id for _, _, app_id in loans]
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        await _maturing(db, app_ids, today() + timedelta(days=1))
        await _until(lambda: _reminded_count(db, app_ids), at_least=1)
        world.services["credit"].kill()
        assert await unpublished(blocker, set(app_ids)) >= 1
        await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    await restart_credit(world)
    await _until(lambda: _reminded_count(db, app_ids), at_least=len(app_ids))

    for app_id in app_ids:
        assert await _reminders(db, app_id) == [("LoanDueSoon", 3)]
    committed = await committed_versions(world, set(app_ids))
    assert_exactly_once(committed, await events_on_kafka(world, set(app_ids), len(committed)))


async def test_a_database_from_before_reminders_gets_the_column_and_its_index(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """The tables as they were (no due_soon_notified_for, no index), in a schema of their
    own; the service's schema step, run twice, adds both, and the sweeper's query uses
    the index."""
    schema = f"upgrade_{uuid.uuid4().hex[:12]}"
    await db.execute(f"CREATE SCHEMA {schema}")
    dsn = world.services["credit"].env["G60_CREDIT_PG_DSN"]
    old = await asyncpg.create_pool(
        dsn, min_size=1, max_size=1, server_settings={"search_path": schema}
    )
    try:
        await apply_schema(old, SCHEMA)
        await old.execute("ALTER TABLE financing_applications DROP COLUMN due_soon_notified_for")
        assert not await _has_due_soon_index(old, schema)
        for _ in range(2):
            await apply_schema(old, SCHEMA)
        assert await _has_due_soon_index(old, schema)
        async with old.acquire() as conn:
            assert await PgApplicationRepository(conn).due_soon(today(), NOTICE_DAYS, 10) == []
            await conn.execute("SET enable_seqscan = off")
            plan = await conn.fetch(
                "EXPLAIN SELECT * FROM financing_applications "
                "WHERE status = 'DISBURSED' AND overdue_since IS NULL "
                "AND due_soon_notified_for IS DISTINCT FROM maturity_date "
                "AND maturity_date BETWEEN $1::date AND $1::date + 7",
                today(),
            )
            assert "financing_applications_due_soon_watch" in str([r[0] for r in plan])
    finally:
        await old.close()
        await db.execute(f"DROP SCHEMA {schema} CASCADE")


async def _has_due_soon_index(pool: asyncpg.Pool, schema: str) -> bool:
    found: bool = await pool.fetchval(
        "SELECT count(*) = 1 FROM pg_indexes WHERE schemaname = $1 "
        "AND indexname = 'financing_applications_due_soon_watch'",
        schema,
    )
    return found
