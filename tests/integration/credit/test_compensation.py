"""Compensation (代偿) over real gRPC, PostgreSQL and Kafka: the guarantor of an overdue
loan's line pays the bank; its capacity is released, the movement, audit rows and
LoanCompensated commit together; refusals write nothing; a request id replayed
concurrently commits once; compensations racing the lender's repayments keep every
balance exact; a SIGKILL after a burst loses and duplicates no event."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60_credit.service_layer.financing_handlers import mark_overdue_loans
from g60common.db import apply_schema
from g60common.grpc_errors import error_reason_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    SCHEMA,
    CreditWorld,
    Metadata,
    apply_request,
    as_bank,
    as_enterprise,
    as_guarantor,
    restart_credit,
    rid,
    system_uow,
    today,
)
from tests.integration.credit.outbox_checks import (
    assert_exactly_once,
    committed_versions,
    events_on_kafka,
    unpublished,
)

pytestmark = pytest.mark.integration
HALF_BP = 5_000


@dataclass(frozen=True)
class OverdueLoan:
    guarantor: str
    bank: str
    enterprise: str
    line_id: str
    app_id: str


async def _overdue_loan(
    world: CreditWorld,
    db: asyncpg.Pool,
    drawn_fen: int = 100_000,
    cover_ratio_bp: int = HALF_BP,
    *,
    mark: bool = True,
) -> OverdueLoan:
    """A loan on a guaranteed line, drawn today, its term moved back so it matured
    yesterday, and marked overdue as the sweeper would. With `mark=False` its term is
    left as drawn (not yet due): backdated, the service's own sweeper (every 0.5 s
    here) could mark it in the middle of a test."""
    guarantor = await world.member(institution_type="GUARANTEE", city="340100")
    bank, ent = await world.member(), await world.enterprise()
    await world.set_capacity(guarantor, 10_000_000)
    line = await world.line(
        bank, ent, 5_000_000, guarantor_id=guarantor, cover_ratio_bp=cover_ratio_bp
    )
    app = await world.approved_application(bank, ent, line.credit_line_id, drawn_fen)
    await world.draw(bank, app.application_id, drawn_fen)
    if mark:
        await db.execute(
            "UPDATE financing_applications SET maturity_date = $2 WHERE application_id = $1",
            app.application_id,
            today() - timedelta(days=1),
        )
        while await mark_overdue_loans(system_uow(db), today(), 50):
            pass
    return OverdueLoan(guarantor, bank, ent, line.credit_line_id, app.application_id)


async def _compensate(
    world: CreditWorld, who: Metadata, app_id: str, amount_fen: int, request_id: str = ""
) -> credit_pb2.MoveFundsResponse:
    done: credit_pb2.MoveFundsResponse = await world.credit.CompensateLoan(
        credit_pb2.MoveFundsRequest(
            request_id=request_id or rid(), application_id=app_id, amount_fen=amount_fen
        ),
        metadata=who,
        timeout=DEADLINE_S,
    )
    return done


async def _repay(world: CreditWorld, loan: OverdueLoan, amount_fen: int) -> None:
    await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(
            request_id=rid(), application_id=loan.app_id, amount_fen=amount_fen
        ),
        metadata=as_bank(loan.bank),
        timeout=DEADLINE_S,
    )


async def _written(db: asyncpg.Pool, loan: OverdueLoan) -> tuple[int, ...]:
    """Rows a compensation would add: movements, audit rows, outbox events, request ids."""
    queries: list[tuple[str, tuple[object, ...]]] = [
        ("SELECT count(*) FROM credit_movements WHERE application_id = $1", (loan.app_id,)),
        (
            "SELECT count(*) FROM credit_audit WHERE aggregate_id = ANY($1::uuid[])",
            ([loan.app_id, loan.line_id],),
        ),
        (
            "SELECT count(*) FROM outbox WHERE aggregate_id = ANY($1::text[])",
            ([loan.app_id, loan.line_id],),
        ),
        ("SELECT count(*) FROM idempotency_keys WHERE caller LIKE 'guarantor:%'", ()),
    ]
    return tuple([await db.fetchval(sql, *args) for sql, args in queries])


async def test_the_guarantor_compensates_an_overdue_loan_and_each_party_sees_it(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    loan = await _overdue_loan(world, db)
    done = await _compensate(world, as_guarantor(loan.guarantor), loan.app_id, 30_000)
    assert (done.amount_fen, done.guarantee_fen) == (30_000, 30_000)
    app = done.application
    assert (app.repaid_fen, app.compensated_fen, app.outstanding_fen) == (30_000, 30_000, 70_000)
    assert (done.credit_line.outstanding_fen, done.credit_line.utilized_fen) == (70_000, 70_000)
    capacity = await world.capacity(loan.guarantor, as_guarantor(loan.guarantor))
    assert capacity.used_fen == 20_000
    assert (
        await db.fetchval(
            "SELECT guarantee_fen FROM financing_applications WHERE application_id = $1",
            loan.app_id,
        )
        == 20_000
    )
    movement = await db.fetchrow(
        "SELECT kind, amount_fen, guarantee_fen, line_version FROM credit_movements "
        "WHERE movement_id = $1",
        uuid.UUID(done.movement_id),
    )
    assert (movement["kind"], movement["amount_fen"], movement["guarantee_fen"]) == (
        "COMPENSATION",
        30_000,
        30_000,
    )
    audit = await db.fetch(
        "SELECT aggregate_type, actor FROM credit_audit WHERE action = 'COMPENSATE' "
        "AND aggregate_id = ANY($1::uuid[]) ORDER BY aggregate_type",
        [loan.app_id, loan.line_id],
    )
    actor = f"guarantor:{loan.guarantor}"
    assert [(r["aggregate_type"], r["actor"]) for r in audit] == [
        ("CreditLine", actor),
        ("FinancingApplication", actor),
    ]
    event = await db.fetchrow(
        "SELECT aggregate_type, aggregate_version FROM outbox "
        "WHERE event_type = 'LoanCompensated' AND aggregate_id = $1",
        loan.line_id,
    )
    assert (event["aggregate_type"], event["aggregate_version"]) == (
        "CreditLine",
        done.credit_line.version,
    )
    for reader in (
        as_bank(loan.bank),
        as_enterprise(loan.enterprise),
        as_guarantor(loan.guarantor),
    ):
        await _reads_the_compensation(world, reader, loan.app_id, done.movement_id)


async def _reads_the_compensation(
    world: CreditWorld, reader: Metadata, app_id: str, movement_id: str
) -> None:
    app = await world.credit.GetFinancingApplication(
        credit_pb2.GetFinancingApplicationRequest(application_id=app_id),
        metadata=reader,
        timeout=DEADLINE_S,
    )
    assert app.compensated_fen == 30_000
    moves = await world.credit.ListFundsMovements(
        credit_pb2.ListFundsMovementsRequest(application_id=app_id),
        metadata=reader,
        timeout=DEADLINE_S,
    )
    last = moves.movements[-1]
    assert (last.movement_id, last.kind, last.repaid_after_fen) == (
        movement_id,
        "COMPENSATION",
        30_000,
    )
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
        metadata=reader,
        timeout=DEADLINE_S,
    )
    assert history.entries[-1].action == "COMPENSATE"
    assert history.entries[-1].application.compensated_fen == 30_000


async def test_a_bank_that_lost_the_application_sees_nothing_of_the_compensation(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    city = "341800"  # few other tests' banks: the matchmaking reaches both of ours
    guarantor = await world.member(institution_type="GUARANTEE", city=city)
    winner, loser = await world.member(city=city), await world.member(city=city)
    ent = await world.enterprise(city=city)
    await world.set_capacity(guarantor, 1_000_000)
    line = await world.line(winner, ent, guarantor_id=guarantor, cover_ratio_bp=HALF_BP)
    await world.line(loser, ent)  # the credit service now knows the losing bank too
    app = await world.credit.ApplyForFinancing(
        apply_request("", 100_000), metadata=as_enterprise(ent), timeout=DEADLINE_S
    )
    assert {winner, loser} <= set(app.target_bank_ids)
    await world.credit.ApproveFinancing(
        credit_pb2.ApproveFinancingRequest(
            request_id=rid(), application_id=app.application_id, credit_line_id=line.credit_line_id
        ),
        metadata=as_bank(winner),
        timeout=DEADLINE_S,
    )
    await world.draw(winner, app.application_id, 100_000)
    await db.execute(
        "UPDATE financing_applications SET maturity_date = $2 WHERE application_id = $1",
        app.application_id,
        today() - timedelta(days=1),
    )
    while await mark_overdue_loans(system_uow(db), today(), 50):
        pass
    await _compensate(world, as_guarantor(guarantor), app.application_id, 10_000)
    request = credit_pb2.GetFinancingApplicationRequest(application_id=app.application_id)
    seen = await world.credit.GetFinancingApplication(
        request, metadata=as_bank(loser), timeout=DEADLINE_S
    )
    assert (seen.status, seen.repaid_fen, seen.compensated_fen) == ("APPROVED", 0, 0)
    moves = await world.credit.ListFundsMovements(
        credit_pb2.ListFundsMovementsRequest(application_id=app.application_id),
        metadata=as_bank(loser),
        timeout=DEADLINE_S,
    )
    assert list(moves.movements) == []
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app.application_id),
        metadata=as_bank(loser),
        timeout=DEADLINE_S,
    )
    assert [e.action for e in history.entries] == ["APPLY", "APPROVE"]


async def test_a_compensation_that_clears_the_loan_ends_it_as_a_repayment_would(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    loan = await _overdue_loan(world, db, cover_ratio_bp=10_000)  # fully guaranteed
    await _repay(world, loan, 60_000)
    done = await _compensate(world, as_guarantor(loan.guarantor), loan.app_id, 40_000)
    app = done.application
    assert (app.status, app.outstanding_fen, app.repaid_fen, app.compensated_fen) == (
        "REPAID",
        0,
        100_000,
        40_000,
    )
    assert (done.guarantee_fen, done.credit_line.outstanding_fen) == (40_000, 0)
    capacity = await world.capacity(loan.guarantor, as_guarantor(loan.guarantor))
    assert capacity.used_fen == 0


async def test_every_refused_compensation_writes_nothing(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    loan = await _overdue_loan(world, db)
    full = await _overdue_loan(world, db, cover_ratio_bp=10_000)
    fresh = await _overdue_loan(world, db, mark=False)
    stranger = await world.member(institution_type="GUARANTEE")
    me = as_guarantor(loan.guarantor)
    before = [await _written(db, x) for x in (loan, full, fresh)]
    refused_as = grpc.StatusCode.FAILED_PRECONDITION
    cases: list[tuple[Metadata, str, int, grpc.StatusCode, str]] = [
        (as_guarantor(fresh.guarantor), fresh.app_id, 1, refused_as, "LoanNotOverdue"),
        (me, loan.app_id, 50_001, refused_as, "CompensationExceedsGuarantee"),
        (as_guarantor(full.guarantor), full.app_id, 100_001, refused_as,
         "RepaymentExceedsOutstanding"),
        (as_guarantor(stranger), loan.app_id, 1, grpc.StatusCode.NOT_FOUND, ""),
        (me, str(uuid.uuid4()), 1, grpc.StatusCode.NOT_FOUND, ""),
        (me, loan.app_id, 0, grpc.StatusCode.INVALID_ARGUMENT, ""),
        (me, loan.app_id, -5, grpc.StatusCode.INVALID_ARGUMENT, ""),
        (as_bank(loan.bank), loan.app_id, 1, grpc.StatusCode.PERMISSION_DENIED, ""),
        (as_enterprise(loan.enterprise), loan.app_id, 1, grpc.StatusCode.PERMISSION_DENIED, ""),
    ]  # fmt: skip
    for who, app_id, amount_fen, code, reason in cases:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await _compensate(world, who, app_id, amount_fen)
        assert refused.value.code() == code, (app_id, amount_fen, refused.value.details())
        if reason:
            assert error_reason_of(refused.value) == reason
    assert [await _written(db, x) for x in (loan, full, fresh)] == before
    capacity = await world.capacity(loan.guarantor, me)
    assert capacity.used_fen == 50_000


async def test_one_request_id_sent_five_times_at_once_commits_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    loan = await _overdue_loan(world, db)
    me, request_id = as_guarantor(loan.guarantor), rid()
    replies = await asyncio.gather(
        *(_compensate(world, me, loan.app_id, 10_000, request_id) for _ in range(5))
    )
    assert all(r == replies[0] for r in replies)
    assert (
        await db.fetchval(
            "SELECT count(*) FROM credit_movements WHERE application_id = $1 "
            "AND kind = 'COMPENSATION'",
            loan.app_id,
        )
        == 1
    )
    assert (
        await db.fetchval(
            "SELECT count(*) FROM outbox WHERE aggregate_id = $1 "
            "AND event_type = 'LoanCompensated'",
            loan.line_id,
        )
        == 1
    )
    written = await _written(db, loan)
    with pytest.raises(grpc.aio.AioRpcError) as conflict:
        await _compensate(world, me, loan.app_id, 10_001, request_id)
    assert conflict.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert await _written(db, loan) == written
    assert (await world.capacity(loan.guarantor, me)).used_fen == 40_000


RACERS = 30
STEP_FEN = 5_000
DRAWN_FEN = 200_000  # 100,000 guaranteed; 60 racers ask for 300,000


async def test_compensations_racing_repayments_keep_every_balance_exact(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    loan = await _overdue_loan(world, db, drawn_fen=DRAWN_FEN)
    me = as_guarantor(loan.guarantor)
    outcomes = await asyncio.gather(
        *(_compensate(world, me, loan.app_id, STEP_FEN) for _ in range(RACERS)),
        *(_repay(world, loan, STEP_FEN) for _ in range(RACERS)),
        return_exceptions=True,
    )
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            assert isinstance(outcome, grpc.aio.AioRpcError), outcome
            assert outcome.code() == grpc.StatusCode.FAILED_PRECONDITION
            assert error_reason_of(outcome) in (
                "RepaymentExceedsOutstanding",
                "CompensationExceedsGuarantee",
            )
    app = await db.fetchrow(
        "SELECT * FROM financing_applications WHERE application_id = $1", loan.app_id
    )
    sums = await db.fetchrow(
        "SELECT coalesce(sum(amount_fen) FILTER (WHERE kind <> 'DRAWDOWN'), 0) AS repaid,"
        " coalesce(sum(amount_fen) FILTER (WHERE kind = 'COMPENSATION'), 0) AS compensated,"
        " coalesce(sum(guarantee_fen) FILTER (WHERE kind = 'DRAWDOWN'), 0)"
        "   - coalesce(sum(guarantee_fen) FILTER (WHERE kind <> 'DRAWDOWN'), 0) AS held"
        " FROM credit_movements WHERE application_id = $1",
        loan.app_id,
    )
    assert app["repaid_fen"] == sums["repaid"] <= app["disbursed_fen"] == DRAWN_FEN
    assert app["compensated_fen"] == sums["compensated"] > 0
    assert app["guarantee_fen"] == sums["held"] >= 0
    capacity = await world.capacity(loan.guarantor, me)
    assert capacity.used_fen == app["guarantee_fen"]  # its only loan
    line = await world.get_line(loan.bank, loan.line_id)
    assert line.outstanding_fen == DRAWN_FEN - app["repaid_fen"]
    # How far it got depends on the order (compensations first clear it, repayments
    # first leave too little guarantee to); REPAID exactly when nothing is left.
    assert (app["status"] == "REPAID") == (app["repaid_fen"] == DRAWN_FEN)


BURST = 60
KILL_AFTER_REPLIES = 20


async def test_compensations_reach_kafka_once_after_sigkill_with_the_relay_held(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    loan = await _overdue_loan(world, db, drawn_fen=DRAWN_FEN)
    aggregates = {loan.line_id, loan.app_id}
    me = as_guarantor(loan.guarantor)
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        tasks = [
            asyncio.create_task(_compensate(world, me, loan.app_id, 1_000)) for _ in range(BURST)
        ]
        for replied, reply in enumerate(asyncio.as_completed(tasks), start=1):
            await asyncio.gather(reply, return_exceptions=True)
            if replied == KILL_AFTER_REPLIES:
                break
        world.services["credit"].kill()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert await unpublished(blocker, aggregates) >= KILL_AFTER_REPLIES
        await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    await restart_credit(world)

    committed = await committed_versions(world, aggregates)
    compensations = await db.fetchval(
        "SELECT count(*) FROM credit_movements WHERE application_id = $1 AND kind = 'COMPENSATION'",
        loan.app_id,
    )
    assert compensations >= KILL_AFTER_REPLIES
    seen = await events_on_kafka(world, aggregates, len(committed))
    assert_exactly_once(committed, seen)
    capacity = await world.capacity(loan.guarantor, me)
    assert capacity.used_fen == DRAWN_FEN // 2 - compensations * 1_000


async def test_a_database_from_before_compensation_accepts_it_after_the_schema_step(
    world: CreditWorld,
    db: asyncpg.Pool,
) -> None:
    """The tables as they were (the old kind CHECK, no compensated_fen), in a schema of
    their own; the service's schema step, run twice, widens the CHECK and adds the column."""
    schema = f"upgrade_{uuid.uuid4().hex[:12]}"
    await db.execute(f"CREATE SCHEMA {schema}")
    dsn = world.services["credit"].env["G60_CREDIT_PG_DSN"]
    old = await asyncpg.create_pool(
        dsn, min_size=1, max_size=1, server_settings={"search_path": schema}
    )
    try:
        await apply_schema(old, SCHEMA)
        await old.execute(
            """ALTER TABLE financing_applications DROP COLUMN compensated_fen;
               ALTER TABLE credit_movements DROP CONSTRAINT credit_movements_kind_check;
               ALTER TABLE credit_movements ADD CONSTRAINT credit_movements_kind_check
                   CHECK (kind IN ('DRAWDOWN', 'REPAYMENT'))"""
        )
        for _ in range(2):
            await apply_schema(old, SCHEMA)
        check = await old.fetchval(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conname = 'credit_movements_kind_check' "
            "AND conrelid = 'credit_movements'::regclass"
        )
        assert "COMPENSATION" in check and "REPAYMENT" in check
        assert (
            await old.fetchval(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = $1 "
                "AND table_name = 'financing_applications' AND column_name = 'compensated_fen'",
                schema,
            )
            == 1
        )
    finally:
        await old.close()
        await db.execute(f"DROP SCHEMA {schema} CASCADE")
