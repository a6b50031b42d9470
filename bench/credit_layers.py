"""Where the credit benchmark's ratio goes: the same commands with layers peeled off,
all in this one process, against the direct-SQL baseline measured in the same run.

    .venv/bin/python bench/credit_layers.py [--ops 3000] [--concurrency 16] [--rounds 3]
        [--warm-up-ops 1000]

Three paths, alternating round by round:
- direct SQL: bench_credit.SqlPath, the baseline (the service's statements, no service);
- handlers: the credit servicer's RegisterCreditLine / Drawdown called in process, with
  the service's request pool and units of work, but no gRPC and no outbox relay;
- handlers + relay: the same, with the outbox relay publishing to Kafka in this process,
  as it does in the service (it drains the backlog of earlier rounds first).

For each it prints throughput and this process's CPU time per operation (everything it
ran: handlers, asyncpg, the relay), and both as ratios to the baseline. What is left
between "handlers + relay" and bench_credit.py's gRPC figure is gRPC itself. Uses
G60_PG_DSN / G60_KAFKA_BOOTSTRAP when both are set, else starts its own stack. Its
database is its own (g60_credit_layers), so it runs beside anything else."""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import g60_credit
import uvloop
from bench_credit import SqlPath, apply_request, approve_request, register_request
from figures import Figures, measure
from g60.credit.v1 import credit_pb2
from g60_credit.adapters.party_directory import ReadThroughPartyDirectory
from g60_credit.adapters.repository import upsert_enterprise_view, upsert_member_view
from g60_credit.adapters.unit_of_work import PgCreditUnitOfWork
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.entrypoints.grpc_servicer import CreditServicer
from g60common.config import KafkaSettings, PostgresSettings
from g60common.correlation import CALLER_ID_KEY, CALLER_TYPE_KEY
from g60common.db import (
    apply_schema,
    create_pool,
    create_request_pool,
    dsn_for_database,
    ensure_database,
)
from g60common.idempotency import SCHEMA_SQL as IDEMPOTENCY_SQL
from g60common.kafka import EVENT_TOPICS, ensure_topics
from g60common.outbox import store
from g60common.outbox.relay import OutboxRelay, RelaySettings
from g60common.outbox.store import SCHEMA_SQL as OUTBOX_SQL
from g60common.stack import StackEndpoints, endpoints_from_env, start_stack

DATABASE = "g60_credit_layers"
WARM_UP_OPS = 1000
DRAIN_TIMEOUT_S = 60.0
DRAIN_POLL_S = 0.1
CITY = "330100"


class _Caller:
    """The part of grpc.aio.ServicerContext the servicer reads on success."""

    def __init__(self, caller_type: str, caller_id: str) -> None:
        self._metadata = ((CALLER_TYPE_KEY, caller_type), (CALLER_ID_KEY, caller_id))

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    async def abort(self, code: Any, details: str = "") -> None:
        raise RuntimeError(f"{code}: {details}")

    async def abort_with_status(self, status: Any) -> None:
        raise RuntimeError(str(status))


class _NoMembersService:
    """Every party is in the read model already, so the party directory never needs the
    members service; a call would be a bench bug."""

    def __getattr__(self, method: str) -> Any:
        raise AssertionError(f"unexpected members call: {method}")


@dataclass
class Path_:
    name: str
    register: Callable[[int], Awaitable[object]]
    draw: Callable[[int], Awaitable[object]]
    before_round: Callable[[], Awaitable[None]]
    after_round: Callable[[], Awaitable[None]]


async def _nothing() -> None:
    return None


class _Relay:
    """The outbox relay, started before a round (once the backlog is published) and
    stopped after it."""

    def __init__(self, pool: asyncpg.Pool, kafka: KafkaSettings) -> None:
        self._relay = OutboxRelay(pool, kafka, RelaySettings(relay_name="credit-layers"))
        self._pool = pool
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.create_task(self._relay.run(self._stop))
        async with self._pool.acquire() as conn:
            for _ in range(int(DRAIN_TIMEOUT_S / DRAIN_POLL_S)):
                if await store.pending_count(conn) == 0:
                    return
                await asyncio.sleep(DRAIN_POLL_S)
        raise RuntimeError(f"the relay did not publish the backlog in {DRAIN_TIMEOUT_S} s")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task


async def _seed_parties(pool: asyncpg.Pool) -> tuple[str, str]:
    bank_id, enterprise_id = str(uuid.uuid4()), str(uuid.uuid4())
    async with pool.acquire() as conn:
        await upsert_member_view(conn, MemberView(bank_id, "BANK", CITY, "ACTIVE", 1))
        await upsert_enterprise_view(
            conn, EnterpriseView(enterprise_id, CITY, CITY, "NEW_MATERIALS", "SMALL", "ACTIVE", 1)
        )
    return bank_id, enterprise_id


async def _applications(
    servicer: CreditServicer, bank_id: str, enterprise_id: str, count: int
) -> list[tuple[str, str]]:
    """(application id, credit line id): one approved application per worker."""
    as_bank, as_enterprise = _Caller("bank", bank_id), _Caller("enterprise", enterprise_id)
    approved = []
    for _ in range(count):
        line = await servicer.RegisterCreditLine(register_request(enterprise_id, 10**15), as_bank)  # type: ignore[arg-type]
        application = await servicer.ApplyForFinancing(
            apply_request(bank_id),
            as_enterprise,  # type: ignore[arg-type]
        )
        await servicer.ApproveFinancing(
            approve_request(application.application_id, line.credit_line_id),
            as_bank,  # type: ignore[arg-type]
        )
        approved.append((application.application_id, line.credit_line_id))
    return approved


async def run(
    endpoints: StackEndpoints, ops: int, concurrency: int, rounds: int, warm_up_ops: int
) -> None:
    await ensure_database(endpoints.pg_dsn, DATABASE)
    dsn = dsn_for_database(endpoints.pg_dsn, DATABASE)
    # The service's pools: requests (no per-statement timers), background (the relay).
    requests = await create_request_pool(PostgresSettings(dsn, concurrency, 20, 10.0))
    background = await create_pool(PostgresSettings(dsn, 1, 5, 10.0))
    # The baseline's pool comes from the same factory: no reset query on release.
    direct = await create_request_pool(PostgresSettings(dsn, concurrency, concurrency, 10.0))
    schema = Path(g60_credit.__file__).parent / "adapters" / "schema.sql"
    await apply_schema(background, OUTBOX_SQL, IDEMPOTENCY_SQL, schema)
    await direct.execute("CREATE TABLE IF NOT EXISTS bench_outbox (LIKE outbox INCLUDING ALL)")
    kafka = KafkaSettings(endpoints.kafka_bootstrap, 30_000)
    await ensure_topics(kafka, EVENT_TOPICS)

    bank_id, enterprise_id = await _seed_parties(background)
    directory = ReadThroughPartyDirectory(requests, _NoMembersService())  # type: ignore[arg-type]
    servicer = CreditServicer(lambda: PgCreditUnitOfWork(requests), directory)
    relay = _Relay(background, kafka)
    await relay.start()  # also publishes whatever an earlier run left
    approved = await _applications(servicer, bank_id, enterprise_id, concurrency)
    await relay.stop()
    as_bank = _Caller("bank", bank_id)
    sql = SqlPath(direct)

    async def handler_register(_: int) -> object:
        return await servicer.RegisterCreditLine(
            register_request(enterprise_id, 1_000_000),
            as_bank,  # type: ignore[arg-type]
        )

    async def handler_draw(slot: int) -> object:
        request = credit_pb2.MoveFundsRequest(
            request_id=str(uuid.uuid4()), application_id=approved[slot][0], amount_fen=1
        )
        return await servicer.Drawdown(request, as_bank)  # type: ignore[arg-type]

    async def sql_register(_: int) -> None:
        await sql.register(bank_id, enterprise_id)

    async def sql_draw(slot: int) -> None:
        application_id, line_id = approved[slot]
        await sql.draw(bank_id, application_id, line_id, enterprise_id)

    paths = [
        Path_("direct SQL", sql_register, sql_draw, _nothing, _nothing),
        Path_("handlers", handler_register, handler_draw, _nothing, _nothing),
        Path_("handlers + relay", handler_register, handler_draw, relay.start, relay.stop),
    ]
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC: {ops} ops per round, {rounds} alternating "
        f"rounds per path (median shown), concurrency {concurrency}, all in one process"
    )
    for command in ("RegisterCreditLine", "Drawdown"):
        for path in paths:  # warm-up
            op = path.register if command == "RegisterCreditLine" else path.draw
            await path.before_round()
            await measure("warm-up", op, warm_up_ops, concurrency)
            await path.after_round()
        results: dict[str, list[tuple[Figures, float]]] = {p.name: [] for p in paths}
        for _ in range(rounds):
            for path in paths:
                op = path.register if command == "RegisterCreditLine" else path.draw
                await path.before_round()
                cpu_before_s = time.process_time()
                figures = await measure(f"{command} {path.name}", op, ops, concurrency)
                cpu_us = (time.process_time() - cpu_before_s) / ops * 1e6
                await path.after_round()
                results[path.name].append((figures, cpu_us))
        _report(results)
    for pool in (requests, background, direct):
        await pool.close()


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def _report(results: dict[str, list[tuple[Figures, float]]]) -> None:
    baseline_ops = _median([f.ops_per_s for f, _ in results["direct SQL"]])
    baseline_cpu = _median([cpu for _, cpu in results["direct SQL"]])
    for rounds in results.values():
        figures = sorted(rounds, key=lambda r: r[0].ops_per_s)[len(rounds) // 2][0]
        ops_per_s = _median([f.ops_per_s for f, _ in rounds])
        cpu_us = _median([cpu for _, cpu in rounds])
        print(
            f"{figures.name:<44} {ops_per_s:6.0f} ops/s ({ops_per_s / baseline_ops:4.2f})   "
            f"CPU {cpu_us:4.0f} µs/op (baseline / this {baseline_cpu / cpu_us:4.2f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm-up-ops", type=int, default=WARM_UP_OPS)
    args = parser.parse_args()
    external = endpoints_from_env()
    stack = None if external else start_stack()
    endpoints = external or stack.endpoints  # type: ignore[union-attr]
    try:
        uvloop.run(run(endpoints, args.ops, args.concurrency, args.rounds, args.warm_up_ops))
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    main()
