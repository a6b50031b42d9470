"""Loan extension (展期) over real gRPC, PostgreSQL and Kafka: the lender extends a loan
once (LoanExtended, EXTEND in its history); refusals name the rule and write nothing;
one request id sent five times at once extends once; extensions racing the overdue
sweeper across the maturity date either extend or leave the loan to be marked, never
both; a SIGKILL with the relay held leaves every extension on Kafka exactly once; an
old database gets the column."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60_credit.domain.calendar import add_months
from g60_credit.service_layer.financing_handlers import mark_overdue_loans
from g60common.db import apply_schema
from g60common.grpc_errors import error_reason_of, field_violations_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    SCHEMA,
    CreditWorld,
    Metadata,
    as_bank,
    as_enterprise,
    restart_credit,
    rid,
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


async def _extend(
    world: CreditWorld, who: Metadata, app_id: str, months: int, request_id: str = ""
) -> credit_pb2.FinancingApplication:
    app: credit_pb2.FinancingApplication = await world.credit.ExtendLoan(
        credit_pb2.ExtendLoanRequest(
            request_id=request_id or rid(), application_id=app_id, months=months
        ),
        metadata=who,
        timeout=DEADLINE_S,
    )
    return app


async def _refused(
    world: CreditWorld, who: Metadata, app_id: str, months: int, request_id: str = ""
) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _extend(world, who, app_id, months, request_id)
    return refused.value


async def _extensions(db: asyncpg.Pool, app_id: str) -> tuple[int, list[tuple[str, int]]]:
    """(EXTEND audit rows, LoanExtended events) of the loan."""
    rows: int = await db.fetchval(
        "SELECT count(*) FROM credit_audit WHERE aggregate_type = 'FinancingApplication' "
        "AND aggregate_id = $1 AND action = 'EXTEND'",
        app_id,
    )
    found = [e for e in await application_events(db, app_id) if e[0] == "LoanExtended"]
    return rows, found


async def _maturing(db: asyncpg.Pool, app_ids: list[str], maturity: date) -> None:
    await db.execute(
        "UPDATE financing_applications SET first_drawn_on = $2, maturity_date = $3 "
        "WHERE application_id = ANY($1::uuid[])",
        app_ids,
        maturity - timedelta(days=365),
        maturity,
    )


async def test_the_lender_extends_a_loan_once(world: CreditWorld, db: asyncpg.Pool) -> None:
    bank, ent, app_id = await world.loan()
    extended = await _extend(world, as_bank(bank), app_id, 6)
    assert extended.maturity_date == add_months(add_months(today(), 12), 6).isoformat()
    assert (extended.extended_months, extended.version) == (6, 3)
    assert await application_events(db, app_id) == [
        ("FinancingApplied", 1),
        ("FinancingApproved", 2),
        ("LoanExtended", 3),
    ]
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
        metadata=as_enterprise(ent),
        timeout=DEADLINE_S,
    )
    last = history.entries[-1]
    assert (last.action, last.actor) == ("EXTEND", f"bank:{bank}")
    assert last.application.maturity_date == extended.maturity_date

    again = await _refused(world, as_bank(bank), app_id, 1)
    assert (again.code(), error_reason_of(again)) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "AlreadyExtended",
    )
    tranche = await _refused_drawdown(world, bank, app_id)
    assert error_reason_of(tranche) == "LoanExtended"
    assert await _extensions(db, app_id) == (1, [("LoanExtended", 3)])


async def _refused_drawdown(world: CreditWorld, bank: str, app_id: str) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.draw(bank, app_id, 1_000)
    return refused.value


async def test_refusals_name_the_rule_and_write_nothing(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    bank, ent, app_id = await world.loan()
    other_bank = await world.member()
    for who, code in (
        (as_bank(other_bank), grpc.StatusCode.NOT_FOUND),
        (as_enterprise(ent), grpc.StatusCode.PERMISSION_DENIED),
    ):
        assert (await _refused(world, who, app_id, 1)).code() == code
    for months in (0, 361):
        invalid = await _refused(world, as_bank(bank), app_id, months)
        assert invalid.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert set(field_violations_of(invalid)) == {"months"}
    too_long = await _refused(world, as_bank(bank), app_id, 13)
    assert error_reason_of(too_long) == "ExtensionTooLong"
    undrawn_bank, _, undrawn = await world.loan(drawn_fen=0)
    assert error_reason_of(await _refused(world, as_bank(undrawn_bank), undrawn, 1)) == (
        "LoanNotDisbursed"
    )
    late_bank, _, late = await world.loan()
    await _maturing(db, [late], today() - timedelta(days=1))
    while await mark_overdue_loans(system_uow(db), today(), 50):  # or the service's did
        pass
    assert error_reason_of(await _refused(world, as_bank(late_bank), late, 1)) == "LoanOverdue"
    for loan in (app_id, undrawn, late):
        assert await _extensions(db, loan) == (0, [])


async def test_one_request_id_sent_five_times_at_once_extends_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    bank, _, app_id = await world.loan()
    request_id = rid()
    replies = await asyncio.gather(
        *(_extend(world, as_bank(bank), app_id, 3, request_id) for _ in range(5))
    )
    assert all(reply == replies[0] for reply in replies)
    assert replies[0].extended_months == 3
    assert await _extensions(db, app_id) == (1, [("LoanExtended", 3)])
    other_body = await _refused(world, as_bank(bank), app_id, 4, request_id)
    assert other_body.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert set(field_violations_of(other_body)) == {"request_id"}
    assert await _extensions(db, app_id) == (1, [("LoanExtended", 3)])


async def test_extensions_racing_the_overdue_sweeper_extend_or_leave_the_loan_to_it(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """Loans maturing today: the service may still extend them (its date is today),
    while four sweepers in this process run as tomorrow's would, to whom they are late.
    Each loan ends extended and never marked, or marked with the extension refused
    (LoanOverdue): never both."""
    loans = await asyncio.gather(*(world.loan() for _ in range(12)))
    await _maturing(db, [a for _, _, a in loans], today())
    tomorrow = today() + timedelta(days=1)

    async def sweep() -> None:
        while await mark_overdue_loans(system_uow(db), tomorrow, 2):
            pass

    outcomes = await asyncio.gather(
        *(sweep() for _ in range(4)),
        *(_extend(world, as_bank(bank), app_id, 1) for bank, _, app_id in loans),
        return_exceptions=True,
    )
    for (_, _, app_id), outcome in zip(loans, outcomes[4:], strict=True):
        row = await db.fetchrow(
            "SELECT maturity_date, overdue_since, extended_months FROM financing_applications "
            "WHERE application_id = $1",
            app_id,
        )
        marks = [e for e in await application_events(db, app_id) if e[0] == "LoanOverdue"]
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, grpc.aio.AioRpcError), outcome
            assert error_reason_of(outcome) == "LoanOverdue"
            assert (row["maturity_date"], row["extended_months"]) == (today(), 0)
            assert row["overdue_since"] == tomorrow and len(marks) == 1
            assert await _extensions(db, app_id) == (0, [])
        else:
            assert row["maturity_date"] == add_months(today(), 1) and row["extended_months"] == 1
            assert row["overdue_since"] is None and marks == []
            assert (await _extensions(db, app_id))[0] == 1


BURST = 20
KILL_AFTER_REPLIES = 5


async def test_extensions_reach_kafka_once_after_sigkill_with_the_relay_held(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """A burst of extensions with the relay held; SIGKILL after some replies. After the
    restart each is retried with its request id: every loan is extended exactly once,
    and Kafka holds every committed event of theirs once."""
    loans = await asyncio.gather(*(world.loan() for _ in range(BURST)))
    requests = [(bank, app_id, rid()) for bank, _, app_id in loans]
    app_ids = {app_id for _, app_id, _ in requests}
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        tasks = [
            asyncio.create_task(_extend(world, as_bank(bank), app_id, 2, request_id))
            for bank, app_id, request_id in requests
        ]
        for replied, reply in enumerate(asyncio.as_completed(tasks), start=1):
            await asyncio.gather(reply, return_exceptions=True)
            if replied == KILL_AFTER_REPLIES:
                break
        world.services["credit"].kill()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert await unpublished(blocker, app_ids) >= 1
        await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    await restart_credit(world)
    retried = await asyncio.gather(
        *(
            _extend(world, as_bank(bank), app_id, 2, request_id)
            for bank, app_id, request_id in requests
        )
    )

    assert {reply.extended_months for reply in retried} == {2}
    for app_id in app_ids:
        assert await _extensions(db, app_id) == (1, [("LoanExtended", 3)])
    committed = await committed_versions(world, app_ids)
    assert_exactly_once(committed, await events_on_kafka(world, app_ids, len(committed)))


async def test_a_database_from_before_extensions_gets_the_column(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    schema = f"upgrade_{uuid.uuid4().hex[:12]}"
    await db.execute(f"CREATE SCHEMA {schema}")
    dsn = world.services["credit"].env["G60_CREDIT_PG_DSN"]
    old = await asyncpg.create_pool(
        dsn, min_size=1, max_size=1, server_settings={"search_path": schema}
    )
    try:
        await apply_schema(old, SCHEMA)
        await old.execute("ALTER TABLE financing_applications DROP COLUMN extended_months")
        for _ in range(2):
            await apply_schema(old, SCHEMA)
        check = await old.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'financing_extended_months_range' "
            "AND conrelid = 'financing_applications'::regclass"
        )
        assert "extended_months" in check
        default = await old.fetchval(
            "SELECT column_default FROM information_schema.columns WHERE table_schema = $1 "
            "AND table_name = 'financing_applications' AND column_name = 'extended_months'",
            schema,
        )
        assert default == "0"
    finally:
        await old.close()
        await db.execute(f"DROP SCHEMA {schema} CASCADE")
