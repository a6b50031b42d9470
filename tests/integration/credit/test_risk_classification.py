"""Five-tier risk classification (贷款五级分类) over real gRPC and PostgreSQL: the service's
sweeper marks a late loan and moves it down once per floor crossed (LoanReclassified on
the outbox, RECLASSIFY in its history), each party reads the class it may see and lists
by it, concurrent sweepers and repayments never announce a move twice or after the loan
was repaid, a SIGKILL with the relay held loses or doubles no move on Kafka, and a
database from before the column is upgraded."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60.events.v1 import credit_events_pb2 as pb
from g60_credit.entrypoints.expiry_sweeper import sweep_once
from g60common.db import apply_schema
from g60common.events import decode_envelope
from g60common.grpc_errors import field_violations_of

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
CITY = "340200"  # Wuhu: the matchmaking below reaches both of its banks


async def _days_late(db: asyncpg.Pool, app_ids: list[str], days: int) -> None:
    """Moves the loans' maturity back so they are `days` past due today."""
    await db.execute(
        "UPDATE financing_applications SET maturity_date = $2 "
        "WHERE application_id = ANY($1::uuid[])",
        app_ids,
        today() - timedelta(days=days),
    )


async def _get(world: CreditWorld, who: Metadata, app_id: str) -> credit_pb2.FinancingApplication:
    app: credit_pb2.FinancingApplication = await world.credit.GetFinancingApplication(
        credit_pb2.GetFinancingApplicationRequest(application_id=app_id),
        metadata=who,
        timeout=DEADLINE_S,
    )
    return app


async def _listed(world: CreditWorld, who: Metadata, risk_class: str) -> set[str]:
    page = await world.credit.ListFinancingApplications(
        credit_pb2.ListFinancingApplicationsRequest(risk_class=risk_class, page_size=500),
        metadata=who,
        timeout=DEADLINE_S,
    )
    return {a.application_id for a in page.applications}


async def _class_of(db: asyncpg.Pool, app_id: str) -> str:
    risk_class: str = await db.fetchval(
        "SELECT risk_class FROM financing_applications WHERE application_id = $1", app_id
    )
    return risk_class


async def _until(check: Callable[[], Awaitable[bool]], what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not await check():
        assert time.monotonic() < deadline, what
        await asyncio.sleep(0.1)


async def _moves(db: asyncpg.Pool, app_id: str) -> list[tuple[str, int]]:
    return [e for e in await application_events(db, app_id) if e[0] == "LoanReclassified"]


async def _payload(db: asyncpg.Pool, app_id: str, version: int) -> pb.LoanReclassified:
    raw = await db.fetchval(
        "SELECT envelope FROM outbox WHERE aggregate_id = $1 AND aggregate_version = $2 "
        "AND aggregate_type = 'FinancingApplication'",
        app_id,
        version,
    )
    payload = pb.LoanReclassified()
    decode_envelope(bytes(raw)).payload.Unpack(payload)
    return payload


async def test_the_service_s_sweeper_moves_a_late_loan_down_once_per_floor(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    bank, ent, app_id = await world.loan()
    await _days_late(db, [app_id], 100)

    async def substandard() -> bool:
        return await _class_of(db, app_id) == "SUBSTANDARD"

    await _until(substandard, "the sweeper did not move the loan to SUBSTANDARD")
    await asyncio.sleep(1.5)  # three more sweeps: still moved once
    assert await application_events(db, app_id) == [
        ("FinancingApplied", 1),
        ("FinancingApproved", 2),
        ("LoanOverdue", 3),
        ("LoanReclassified", 4),
    ]
    moved = await _payload(db, app_id, 4)
    assert (moved.previous_risk_class, moved.risk_class) == ("SPECIAL_MENTION", "SUBSTANDARD")
    assert (moved.days_past_due, moved.outstanding_fen) == (100, 100_000)
    app = await _get(world, as_enterprise(ent), app_id)
    assert (app.risk_class, app.days_past_due, app.version) == ("SUBSTANDARD", 100, 4)
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    entry = history.entries[-1]
    assert (entry.action, entry.actor) == ("RECLASSIFY", "system:risk-sweeper")
    assert (entry.application.risk_class, entry.application.days_past_due) == ("SUBSTANDARD", 100)
    assert [e.action for e in history.entries][-2:] == ["OVERDUE", "RECLASSIFY"]

    # 300 days late: the next floor, one more move.
    await _days_late(db, [app_id], 300)

    async def doubtful() -> bool:
        return await _class_of(db, app_id) == "DOUBTFUL"

    await _until(doubtful, "the sweeper did not move the loan to DOUBTFUL")
    assert await _moves(db, app_id) == [("LoanReclassified", 4), ("LoanReclassified", 5)]
    # Repaid in part: still DOUBTFUL, and the repayment's answer counts to its day.
    repaid = await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(request_id=rid(), application_id=app_id, amount_fen=40_000),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    assert (repaid.application.risk_class, repaid.application.days_past_due) == ("DOUBTFUL", 300)


async def test_a_loan_400_days_late_goes_to_loss_in_one_move(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    _, ent, app_id = await world.loan()
    await _days_late(db, [app_id], 400)

    async def loss() -> bool:
        return await _class_of(db, app_id) == "LOSS"

    await _until(loss, "the sweeper did not move the loan to LOSS")
    await asyncio.sleep(1.0)
    assert await _moves(db, app_id) == [("LoanReclassified", 4)]
    moved = await _payload(db, app_id, 4)
    assert (moved.previous_risk_class, moved.risk_class) == ("SPECIAL_MENTION", "LOSS")
    assert (await _get(world, as_enterprise(ent), app_id)).days_past_due == 400


async def test_each_party_reads_and_lists_the_class_it_may_see(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    guarantor = await world.member(institution_type="GUARANTEE", city=CITY)
    winner, loser = await world.member(city=CITY), await world.member(city=CITY)
    ent = await world.enterprise(city=CITY)
    await world.set_capacity(guarantor, 1_000_000)
    line = await world.line(winner, ent, guarantor_id=guarantor, cover_ratio_bp=5_000)
    await world.line(loser, ent)  # the credit service now knows the losing bank too
    app = await world.credit.ApplyForFinancing(
        apply_request("", 100_000), metadata=as_enterprise(ent), timeout=DEADLINE_S
    )
    assert {winner, loser} <= set(app.target_bank_ids)
    approved = await world.credit.ApproveFinancing(
        credit_pb2.ApproveFinancingRequest(
            request_id=rid(), application_id=app.application_id, credit_line_id=line.credit_line_id
        ),
        metadata=as_bank(winner),
        timeout=DEADLINE_S,
    )
    app_id = app.application_id
    await world.draw(winner, app_id, 100_000)
    await _days_late(db, [app_id], 95)

    async def substandard() -> bool:
        return await _class_of(db, app_id) == "SUBSTANDARD"

    await _until(substandard, "the sweeper did not move the loan to SUBSTANDARD")
    for reader in (as_bank(winner), as_enterprise(ent), as_guarantor(guarantor)):
        seen = await _get(world, reader, app_id)
        assert (seen.risk_class, seen.days_past_due) == ("SUBSTANDARD", 95), reader
        assert app_id in await _listed(world, reader, "SUBSTANDARD")
        assert app_id not in await _listed(world, reader, "NORMAL")
    # The bank that lost sees the approval, not the loan: NORMAL, 0, the approval's version.
    lost = await _get(world, as_bank(loser), app_id)
    assert (lost.risk_class, lost.days_past_due, lost.overdue_since) == ("NORMAL", 0, "")
    assert lost.version == approved.version
    assert app_id not in await _listed(world, as_bank(loser), "SUBSTANDARD")
    assert app_id in await _listed(world, as_bank(loser), "NORMAL")
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
        metadata=as_bank(loser),
        timeout=DEADLINE_S,
    )
    assert "RECLASSIFY" not in [e.action for e in history.entries]
    # Another guarantor does not see the loan at all.
    other = await world.member(institution_type="GUARANTEE", city=CITY)
    assert app_id not in await _listed(world, as_guarantor(other), "SUBSTANDARD")
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _listed(world, as_bank(winner), "BAD")
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "risk_class" in field_violations_of(refused.value)


async def test_concurrent_sweepers_and_repayments_move_each_loan_at_most_once(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """Four sweep rounds in this process at a time race the service's own and a full
    repayment of every other loan, each loan 100 days late: every loan still owing is
    marked and moved once (SPECIAL_MENTION -> SUBSTANDARD), a repaid loan at most once
    and only before its repayment."""
    loans = await asyncio.gather(*(world.loan() for _ in range(12)))
    await _days_late(db, [app_id for *_, app_id in loans], 100)
    repaid, owing = loans[::2], loans[1::2]

    async def sweep() -> None:
        while sum(await sweep_once(lambda: system_uow(db), lambda: datetime.now(UTC), 2, 90, 7)):
            pass

    await asyncio.gather(*(sweep() for _ in range(4)), *(world.repay(b, a) for b, _, a in repaid))

    async def all_owing_moved() -> bool:
        return all([await _moves(db, app_id) for _, _, app_id in owing])

    # Whatever a repayment or the service's own sweeper held locked.
    await sweep_until(sweep, all_owing_moved)
    for _, _, app_id in owing:
        assert await _moves(db, app_id) == [("LoanReclassified", 4)]
        assert await _class_of(db, app_id) == "SUBSTANDARD"
    for _, _, app_id in repaid:
        assert await _moves(db, app_id) in ([], [("LoanReclassified", 4)])
        actions = await db.fetch(
            "SELECT action FROM credit_audit WHERE aggregate_type = 'FinancingApplication' "
            "AND aggregate_id = $1 AND action IN ('OVERDUE', 'RECLASSIFY', 'REPAY') "
            "ORDER BY audit_id",
            app_id,
        )
        # Moved before the repayment or not at all: never once nothing was owed.
        assert [r["action"] for r in actions] in (
            ["REPAY"],
            ["OVERDUE", "REPAY"],
            ["OVERDUE", "RECLASSIFY", "REPAY"],
        )


async def test_moves_reach_kafka_once_when_the_service_is_killed_mid_sweep(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """The relay is held (a lock on its batch counter) while the service's sweeper marks
    and moves 20 loans 400 days late; SIGKILL once some moves are committed. After the
    restart every loan is LOSS after exactly one move, and Kafka holds every committed
    event of theirs once."""
    loans = await asyncio.gather(*(world.loan() for _ in range(20)))
    app_ids = {app_id for _, _, app_id in loans}
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        await _days_late(db, list(app_ids), 400)
        await _until(lambda: _lost(db, app_ids, at_least=1), "no loan was moved")
        world.services["credit"].kill()
        assert await unpublished(blocker, app_ids) >= 1
        await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    await restart_credit(world)
    await _until(lambda: _lost(db, app_ids, len(app_ids)), "not every loan was moved")

    for app_id in app_ids:
        assert await _moves(db, app_id) == [("LoanReclassified", 4)]
    committed = await committed_versions(world, app_ids)
    assert_exactly_once(committed, await events_on_kafka(world, app_ids, len(committed)))


async def _lost(db: asyncpg.Pool, app_ids: set[str], at_least: int) -> bool:
    count: int = await db.fetchval(
        "SELECT count(*) FROM financing_applications "
        "WHERE application_id = ANY($1::uuid[]) AND risk_class = 'LOSS'",
        list(app_ids),
    )
    return count >= at_least


async def test_a_database_from_before_classification_is_upgraded_by_the_schema_step(
    world: CreditWorld, db: asyncpg.Pool
) -> None:
    """The table as it was (no risk_class), in a schema of its own, with a loan marked
    overdue and one not: the service's schema step, run twice, adds the columns and
    makes the marked loan SPECIAL_MENTION (the sweeper moves it on from there)."""
    schema = f"upgrade_{uuid.uuid4().hex[:12]}"
    await db.execute(f"CREATE SCHEMA {schema}")
    dsn = world.services["credit"].env["G60_CREDIT_PG_DSN"]
    old = await asyncpg.create_pool(
        dsn, min_size=1, max_size=1, server_settings={"search_path": schema}
    )
    try:
        await apply_schema(old, SCHEMA)
        await old.execute("ALTER TABLE financing_applications DROP COLUMN risk_class")
        line_id, marked, fresh = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await old.execute(
            """INSERT INTO credit_lines (credit_line_id, bank_id, enterprise_id, product,
                   currency, limit_fen, utilized_fen, outstanding_fen, revolving, valid_from,
                   valid_to, status, version)
               VALUES ($1, $2, $3, 'WORKING_CAPITAL', 'CNY', 1000000, 200000, 200000, true,
                   $4, $5, 'ACTIVE', 3)""",
            line_id, uuid.uuid4(), uuid.uuid4(), today() - timedelta(days=800), today(),
        )  # fmt: skip
        for app_id, overdue_since in ((marked, today() - timedelta(days=99)), (fresh, None)):
            await old.execute(
                """INSERT INTO financing_applications (application_id, enterprise_id,
                       currency, amount_fen, term_months, purpose, target_bank_ids, city_wide,
                       submitted_at, status, bank_id, credit_line_id, approved_fen,
                       disbursed_fen, version, first_drawn_on, maturity_date, overdue_since)
                   VALUES ($1, $2, 'CNY', 100000, 12, 'old', ARRAY[$3]::uuid[], false, now(),
                       'DISBURSED', $3, $4, 100000, 100000, $5, $6, $7, $8)""",
                app_id, uuid.uuid4(), uuid.uuid4(), line_id, 3 if overdue_since else 2,
                today() - timedelta(days=465), today() - timedelta(days=100), overdue_since,
            )  # fmt: skip
        for _ in range(2):
            await apply_schema(old, SCHEMA)
        rows = await old.fetch("SELECT application_id, risk_class FROM financing_applications")
        classes = {r["application_id"]: r["risk_class"] for r in rows}
        assert classes == {marked: "SPECIAL_MENTION", fresh: "NORMAL"}
        with pytest.raises(asyncpg.CheckViolationError):
            await old.execute("UPDATE financing_applications SET risk_class = 'BAD'")
    finally:
        await old.close()
        await db.execute(f"DROP SCHEMA {schema} CASCADE")
