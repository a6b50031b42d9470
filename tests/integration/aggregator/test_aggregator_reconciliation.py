"""A randomized workload of >= 5,000 real credit commands through the real services;
the stream totals then equal the totals recomputed from the credit database, for
every dimension and month, to the fen."""

from __future__ import annotations

import asyncio
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60.members.v1 import members_pb2_grpc
from g60_credit.adapters.unit_of_work import PgCreditUnitOfWork
from g60_credit.domain.calendar import SHANGHAI
from g60_credit.service_layer.financing_handlers import mark_overdue_loans
from g60_credit.service_layer.risk_classification import reclassify_loans

from tests.e2e.conftest import RunningPlatform, fresh_platform  # noqa: F401  (fixture)
from tests.integration.aggregator.credit_workload import CreditWorkload

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

COMMANDS = 5_000
CONCURRENCY = 12


def _reconcile_until_exact(url: str, timeout_s: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    report: dict[str, Any] = {}
    while time.monotonic() < deadline:
        report = httpx.get(f"{url}/v1/reconciliation", timeout=60).json()
        if report["exact"]:
            return report
        time.sleep(1.0)
    raise AssertionError(f"drift remains: {report['drifts'][:10]} {report['state_drifts']}")


async def _drive(platform: Any) -> CreditWorkload:
    credit = grpc.aio.insecure_channel(platform.credit_target)
    members = grpc.aio.insecure_channel(platform.members_target)
    try:
        workload = CreditWorkload(
            credit_pb2_grpc.CreditServiceStub(credit),
            members_pb2_grpc.MembersServiceStub(members),
            random.Random(560),
        )
        await workload.setup()
        await workload.first_lines()
        await workload.run(COMMANDS, CONCURRENCY)
        return workload
    finally:
        await credit.close()
        await members.close()


async def _some_loans_fall_overdue(credit_dsn: str, count: int) -> int:
    """Backdates `count` loans still owing to have matured yesterday and marks them as
    the credit service's sweeper does (its own handler, in this process: the service's
    sweeper runs once a minute here, and may take some of them first: SKIP LOCKED lets
    each be marked once either way). Returns how many are marked."""
    pool = await asyncpg.create_pool(credit_dsn, min_size=1, max_size=2)
    try:
        today = datetime.now(UTC).astimezone(SHANGHAI).date()
        rows = await pool.fetch(
            """UPDATE financing_applications SET maturity_date = $1 WHERE application_id IN (
                   SELECT application_id FROM financing_applications
                   WHERE status = 'DISBURSED' AND disbursed_fen > repaid_fen
                   ORDER BY application_id LIMIT $2) RETURNING application_id""",
            today - timedelta(days=1),
            count,
        )
        return await _mark_overdue(pool, today, [r["application_id"] for r in rows])
    finally:
        await pool.close()


def _as(kind: str, who: str) -> tuple[tuple[str, str], ...]:
    return (("x-g60-caller-type", kind), ("x-g60-caller-id", who))


async def _guaranteed_loan(
    credit: credit_pb2_grpc.CreditServiceStub, guarantor: str, bank: str, enterprise: str
) -> str:
    """A half-guaranteed line, and 1,000,000 fen drawn on it (500,000 guaranteed)."""
    today = datetime.now(UTC).astimezone(SHANGHAI).date()
    line = await credit.RegisterCreditLine(
        credit_pb2.RegisterCreditLineRequest(
            request_id=str(uuid.uuid4()), enterprise_id=enterprise, product="GUARANTEE_BACKED",
            currency="CNY", limit_fen=10_000_000, revolving=True,
            valid_from=(today - timedelta(days=30)).isoformat(),
            valid_to=(today + timedelta(days=365)).isoformat(),
            guarantor_id=guarantor, cover_ratio_bp=5_000,
        ),
        metadata=_as("bank", bank), timeout=30,
    )  # fmt: skip
    app = await credit.ApplyForFinancing(
        credit_pb2.ApplyForFinancingRequest(
            request_id=str(uuid.uuid4()), bank_id=bank, currency="CNY",
            amount_fen=1_000_000, term_months=12, purpose="guaranteed",
        ),
        metadata=_as("enterprise", enterprise), timeout=30,
    )  # fmt: skip
    for rpc, message in [
        (credit.ApproveFinancing, credit_pb2.ApproveFinancingRequest(
            request_id=str(uuid.uuid4()), application_id=app.application_id,
            credit_line_id=line.credit_line_id)),
        (credit.Drawdown, credit_pb2.MoveFundsRequest(
            request_id=str(uuid.uuid4()), application_id=app.application_id,
            amount_fen=1_000_000)),
    ]:  # fmt: skip
        await rpc(message, metadata=_as("bank", bank), timeout=30)
    return str(app.application_id)


async def _mark_overdue(pool: asyncpg.Pool, today: date, app_ids: list[Any]) -> int:
    """Runs the sweeper's handler until nothing is due; returns how many of `app_ids` are
    marked (by it or by the service's own sweeper)."""
    while await mark_overdue_loans(PgCreditUnitOfWork(pool, lambda: datetime.now(UTC)), today, 500):
        pass
    marked: int = await pool.fetchval(
        "SELECT count(*) FROM financing_applications "
        "WHERE application_id = ANY($1::uuid[]) AND overdue_since IS NOT NULL",
        app_ids,
    )
    return marked


async def _some_guaranteed_loans_compensated(
    platform: Any, workload: CreditWorkload, count: int
) -> tuple[int, int]:
    """`count` guaranteed loans fall overdue (backdated, then marked as the sweeper
    does) and each one's guarantor compensates (代偿) part of it, the first one all the
    guarantee it holds. Returns (loans marked, fen compensated)."""
    pool = await asyncpg.create_pool(platform.env["G60_CREDIT_PG_DSN"], min_size=1, max_size=2)
    channel = grpc.aio.insecure_channel(platform.credit_target)
    try:
        credit = credit_pb2_grpc.CreditServiceStub(channel)
        guarantor = workload.guarantors[0]
        await credit.SetGuarantorCapacity(
            credit_pb2.SetGuarantorCapacityRequest(
                request_id=str(uuid.uuid4()), guarantor_id=guarantor, capacity_fen=10**12
            ),
            metadata=_as("operator", "ops-1"),
            timeout=30,
        )
        app_ids = [
            await _guaranteed_loan(
                credit, guarantor, workload.banks[2 * i], workload.enterprises[4 * i]
            )
            for i in range(count)
        ]
        today = datetime.now(UTC).astimezone(SHANGHAI).date()
        await pool.execute(
            "UPDATE financing_applications SET maturity_date = $1 "
            "WHERE application_id = ANY($2::uuid[])",
            today - timedelta(days=1),
            app_ids,
        )
        marked = await _mark_overdue(pool, today, app_ids)
        compensated_fen = 0
        for i, app_id in enumerate(app_ids):
            amount_fen = 500_000 if i == 0 else 100_000 + i
            await credit.CompensateLoan(
                credit_pb2.MoveFundsRequest(
                    request_id=str(uuid.uuid4()), application_id=app_id, amount_fen=amount_fen
                ),
                metadata=_as("guarantor", guarantor),
                timeout=30,
            )
            compensated_fen += amount_fen
        # The last loan's enterprise then repays part of it: the overdue balance falls.
        await credit.RecordRepayment(
            credit_pb2.MoveFundsRequest(
                request_id=str(uuid.uuid4()), application_id=app_ids[-1], amount_fen=50_000
            ),
            metadata=_as("bank", workload.banks[2 * (count - 1)]),
            timeout=30,
        )
        return marked, compensated_fen
    finally:
        await channel.close()
        await pool.close()


async def _some_loans_become_non_performing(platform: Any, count: int) -> tuple[int, int]:
    """`count` loans still owing and not yet overdue fall 100 days past due, the first
    400 days (straight to LOSS); they are marked and moved down as the credit service's
    sweeper does (its handlers, in this process; the service's own may take some first).
    The last one is then repaid in part, which lowers the non-performing balance.
    Returns (loans non-performing in the database, loans chosen)."""
    pool = await asyncpg.create_pool(platform.env["G60_CREDIT_PG_DSN"], min_size=1, max_size=2)
    channel = grpc.aio.insecure_channel(platform.credit_target)
    try:
        today = datetime.now(UTC).astimezone(SHANGHAI).date()
        rows = await pool.fetch(
            """SELECT application_id, bank_id FROM financing_applications
               WHERE status = 'DISBURSED' AND disbursed_fen > repaid_fen + 1
                 AND overdue_since IS NULL
               ORDER BY application_id LIMIT $1""",
            count,
        )
        app_ids = [r["application_id"] for r in rows]
        for app_id, days in zip(app_ids, [400] + [100] * (count - 1), strict=True):
            await pool.execute(
                "UPDATE financing_applications SET maturity_date = $2 WHERE application_id = $1",
                app_id,
                today - timedelta(days=days),
            )
        await _mark_overdue(pool, today, app_ids)
        # Bounded: a row the service's sweeper holds is skipped here until it commits.
        deadline = time.monotonic() + 30
        while (npl := await _non_performing_count(pool, app_ids)) < len(app_ids):
            assert time.monotonic() < deadline, f"{npl} of {len(app_ids)} non-performing"
            uow = PgCreditUnitOfWork(pool, lambda: datetime.now(UTC))
            if not await reclassify_loans(uow, today, 500):
                await asyncio.sleep(0.2)
        credit = credit_pb2_grpc.CreditServiceStub(channel)
        await credit.RecordRepayment(
            credit_pb2.MoveFundsRequest(
                request_id=str(uuid.uuid4()), application_id=str(app_ids[-1]), amount_fen=1
            ),
            metadata=_as("bank", str(rows[-1]["bank_id"])),
            timeout=30,
        )
        return await _non_performing_count(pool, app_ids), len(app_ids)
    finally:
        await channel.close()
        await pool.close()


async def _non_performing_count(pool: asyncpg.Pool, app_ids: list[Any]) -> int:
    count: int = await pool.fetchval(
        "SELECT count(*) FROM financing_applications WHERE application_id = ANY($1::uuid[]) "
        "AND risk_class IN ('SUBSTANDARD', 'DOUBTFUL', 'LOSS')",
        app_ids,
    )
    return count


async def _nonperforming_fen(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        fen: int = await conn.fetchval(
            "SELECT sum(disbursed_fen - repaid_fen) FROM financing_applications "
            "WHERE risk_class IN ('SUBSTANDARD', 'DOUBTFUL', 'LOSS')"
        )
        return fen
    finally:
        await conn.close()


async def _overdue_outstanding_fen(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        fen: int = await conn.fetchval(
            "SELECT sum(disbursed_fen - repaid_fen) FROM financing_applications "
            "WHERE overdue_since IS NOT NULL"
        )
        return fen
    finally:
        await conn.close()


def test_randomized_workload_has_zero_drift(fresh_platform: RunningPlatform) -> None:  # noqa: F811
    platform = fresh_platform.platform
    workload = asyncio.run(_drive(platform))
    assert workload.attempted >= COMMANDS
    overdue = asyncio.run(_some_loans_fall_overdue(platform.env["G60_CREDIT_PG_DSN"], 7))
    assert overdue == 7
    guaranteed, compensated_fen = asyncio.run(
        _some_guaranteed_loans_compensated(platform, workload, 5)
    )
    assert guaranteed == 5 and compensated_fen > 0
    non_performing, chosen = asyncio.run(_some_loans_become_non_performing(platform, 6))
    assert non_performing == chosen == 6
    report = _reconcile_until_exact(platform.aggregator_url)
    print(f"commands {workload.attempted} refused {workload.refused} events {report['events']}")
    assert report["events"] >= COMMANDS // 2, report["events"]
    totals = httpx.get(f"{platform.gateway_url}/v1/totals", timeout=10).json()
    assert len([c for c, v in totals["by"]["enterprise_city"].items() if v["credit_lines"]]) == 9
    assert totals["alliance"]["financing_disbursed_fen"] > 0
    assert totals["alliance"]["principal_repaid_fen"] > 0
    # The loans that became non-performing were marked overdue on the way.
    assert totals["alliance"]["loans_overdue"] == overdue + guaranteed + non_performing
    assert totals["alliance"]["principal_compensated_fen"] == compensated_fen
    assert totals["alliance"]["principal_overdue_fen"] > 0
    # 逾期余额 = what the marked loans still owe, to the fen (also in the drift check).
    assert totals["alliance"]["principal_overdue_outstanding_fen"] == asyncio.run(
        _overdue_outstanding_fen(platform.env["G60_CREDIT_PG_DSN"])
    )
    # 不良贷款余额 = what the SUBSTANDARD, DOUBTFUL and LOSS loans still owe, to the fen
    # (also in the drift check), after one of them was repaid in part.
    assert totals["alliance"]["loans_nonperforming"] == non_performing
    assert totals["alliance"]["principal_nonperforming_fen"] == asyncio.run(
        _nonperforming_fen(platform.env["G60_CREDIT_PG_DSN"])
    )
    assert totals["alliance"]["nonperforming_ratio"] is not None
    metrics = httpx.get(f"{platform.aggregator_url}/metrics", timeout=10).text
    assert "g60_aggregator_principal_nonperforming_yuan" in metrics
    assert (
        'reconciliation_drift_fen{dimension="alliance",measure="credit_granted_fen",value=""} 0.0'
        in metrics
    )
    # GuarantorCapacity settings ride the same topic and are skipped, not seen as gaps.
    assert "g60_aggregator_version_gaps_total 0.0" in metrics
    assert "g60_aggregator_events_ignored_total 0.0" not in metrics
    by_bank_city = httpx.get(
        f"{platform.gateway_url}/v1/totals", params={"dimension": "bank_city"}, timeout=10
    ).json()
    assert list(by_bank_city["by"]) == ["bank_city"]


def _command(module: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_reconcile_and_replay_commands_agree(fresh_platform: RunningPlatform) -> None:  # noqa: F811
    """Runs after the workload test in this module: same platform, same history."""
    env = fresh_platform.platform.env
    reconciled = _command("g60_aggregator.reconcile", env, "--wait-s", "30")
    assert reconciled.returncode == 0, reconciled.stdout + reconciled.stderr
    assert "no drift in any dimension" in reconciled.stdout
    replayed = _command("g60_aggregator.replay", env)
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "rebuilt totals equal the live totals" in replayed.stdout
    assert "replay" in replayed.stderr  # the tqdm progress bar
    by_worker = _command("g60_aggregator.replay", env, "--worker")
    assert by_worker.returncode == 0, by_worker.stdout + by_worker.stderr
    assert "rebuilt totals equal the live totals" in by_worker.stdout
