"""Credit service benchmark: RegisterCreditLine and Drawdown through gRPC, against the
same SQL transactions sent straight to PostgreSQL with asyncpg (the baseline).

    .venv/bin/python bench/bench_credit.py [--ops 3000] [--concurrency 16] [--rounds 5]
        [--cpu] [--relay in-process|separate] [--client go|go-grpc|python]
        [--credit-replicas 1] [--loop uvloop|asyncio] [--warm-up-ops 3000]

It prints each path's median round (throughput, with p50/p99 over all rounds), the
ratio of the two median rounds, and the ratio of all rounds pooled (every round's
operations over every round's time), which scatters less from run to run.

--client go (the default) sends the gRPC path's calls from the Go load generator in
bench/grpcload (built with `go build` at the start, into a temporary folder) with its
one-thread HTTP/2 engine, as h2load or wrk would: the Python grpc.aio client spent
~220-265 µs of CPU per call on the same two cores as the service, and grpc-go's
client 95-130 µs, which the gRPC path would be charged for; the engine spends 20-45.
Its requests are built in Python before each round. --client go-grpc sends them
through grpc-go's client and --client python through the grpc.aio stub, for comparison.
--cpu prints each round's CPU time per operation for every process involved (bench
client, the Go load generator as "loadgen", members, credit, a separate relay,
PostgreSQL, Kafka) and the ratio of the two paths' totals. Uses G60_PG_DSN /
G60_KAFKA_BOOTSTRAP when both are set, else starts its own stack.
Drawdowns spread over one approved application per worker, so the figure is the
per-transaction cost, not row-lock queueing on a single line. --credit-replicas N
starts N credit processes on their own ports, as deploy/k8s runs two pods, with one
load generator per replica and the workers dealt to them in turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import grpc
import uvloop
from cpu import CpuSplit, listening_pid, parent_pid
from figures import Figures, Op, measure, median_round, pooled_rate
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60_credit.adapters.application_repository import (
    INSERT_MOVEMENT_SQL,
    SELECT_APPLICATION_SQL,
    UPDATE_APPLICATION_SQL,
)
from g60_credit.adapters.audit_repository import INSERT_AUDIT_SQL
from g60_credit.adapters.repository import (
    DRAW_DOWN_SQL,
    INSERT_LINE_SQL,
    PARTY_PAIR_SQL,
    SELECT_LINE_SQL,
)
from g60common.config import PostgresSettings
from g60common.correlation import new_correlation_id
from g60common.db import create_request_pool, ensure_database
from g60common.idempotency import CLAIM_SQL, RECORD_SQL
from g60common.launcher import ServiceProcess, platform_env
from g60common.outbox.store import APPEND_EVENT_SQL
from g60common.stack import endpoints_from_env, start_stack
from g60common.stack.ports import find_free_ports
from g60common.uscc import random_uscc
from grpcload import GrpcLoad, build

# Per operation and path before the first measured round. A fresh broker's JVM still
# compiles its produce and transaction paths for a minute or more: at 500 warm-up ops
# Kafka cost the first gRPC rounds 190-250 µs/op, against 86-96 after 20,000.
WARM_UP_OPS = 3000
CLIENTS = {
    "go": "Go, raw HTTP/2 (bench/grpcload)",
    "go-grpc": "Go, grpc-go (bench/grpcload)",
    "python": "Python (grpc.aio)",
}
ENGINES = {"go": "h2", "go-grpc": "grpc-go"}
# (median gRPC round, median direct round, pooled ratio over all rounds, CPU ratio or None)
Result = tuple[Figures, Figures, float, float | None]
# The bench process's event loop, which the direct-SQL path's asyncpg runs on. uvloop by
# default, as in the services: on asyncio's own loop the baseline's client costs ~45 µs
# more per register and ~65 per drawdown, which made the gRPC path look better than it is.
LOOPS: dict[str, Callable[[Coroutine[Any, Any, list[Result]]], list[Result]]] = {
    "uvloop": uvloop.run,
    "asyncio": asyncio.run,
}
CREDIT_SERVICE = credit_pb2.DESCRIPTOR.services_by_name["CreditService"].full_name


def bank(bank_id: str) -> tuple[tuple[str, str], ...]:
    return (("x-g60-caller-type", "bank"), ("x-g60-caller-id", bank_id))


class GrpcPath:
    def __init__(self, env: dict[str, str], credit_targets: Sequence[str]) -> None:
        self.channels = [grpc.aio.insecure_channel(t) for t in credit_targets]
        self.members_channel = grpc.aio.insecure_channel(env["G60_MEMBERS_GRPC_TARGET"])
        # One stub per credit replica; the Python client deals its workers to them in turn.
        self.replicas = [credit_pb2_grpc.CreditServiceStub(c) for c in self.channels]
        self.credit = self.replicas[0]
        self.members = members_pb2_grpc.MembersServiceStub(self.members_channel)
        # Unseeded: a reused stack (G60_PG_DSN) already holds earlier runs' USCCs.
        self.rng = random.Random()

    def replica(self, slot: int) -> credit_pb2_grpc.CreditServiceStub:
        return self.replicas[slot % len(self.replicas)]

    async def parties(self) -> tuple[str, str]:
        op = (("x-g60-caller-type", "operator"), ("x-g60-caller-id", "bench"))
        b = await self.members.RegisterMember(
            members_pb2.RegisterMemberRequest(
                request_id=str(uuid.uuid4()),
                name="Bench Bank",
                institution_type="BANK",
                home_city="330100",
                uscc=random_uscc(self.rng, "330100"),
            ),
            metadata=op,
        )
        e = await self.members.RegisterEnterprise(
            members_pb2.RegisterEnterpriseRequest(
                request_id=str(uuid.uuid4()),
                name="Bench SME",
                city="330100",
                uscc=random_uscc(self.rng, "330100"),
                industry="NEW_MATERIALS",
                size_class="SMALL",
            ),
            metadata=op,
        )
        return b.member_id, e.enterprise_id

    async def approved_application(self, bank_id: str, ent: str) -> str:
        line = await self.credit.RegisterCreditLine(
            register_request(ent, 10**15), metadata=bank(bank_id)
        )
        app = await self.credit.ApplyForFinancing(
            apply_request(bank_id),
            metadata=(("x-g60-caller-type", "enterprise"), ("x-g60-caller-id", ent)),
        )
        await self.credit.ApproveFinancing(
            approve_request(app.application_id, line.credit_line_id), metadata=bank(bank_id)
        )
        return str(app.application_id)


def register_request(enterprise_id: str, limit_fen: int) -> credit_pb2.RegisterCreditLineRequest:
    today = date.today()
    return credit_pb2.RegisterCreditLineRequest(
        request_id=str(uuid.uuid4()),
        enterprise_id=enterprise_id,
        product="TECHNOLOGY_LOAN",
        currency="CNY",
        limit_fen=limit_fen,
        revolving=True,
        valid_from=(today - timedelta(days=2)).isoformat(),
        valid_to=(today + timedelta(days=365)).isoformat(),
    )


def apply_request(bank_id: str) -> credit_pb2.ApplyForFinancingRequest:
    """For the whole of a 10^15 fen line: drawdowns of 1 fen never exhaust it."""
    return credit_pb2.ApplyForFinancingRequest(
        request_id=str(uuid.uuid4()),
        bank_id=bank_id,
        currency="CNY",
        amount_fen=10**15,
        term_months=12,
        purpose="bench",
    )


def approve_request(application_id: str, line_id: str) -> credit_pb2.ApproveFinancingRequest:
    return credit_pb2.ApproveFinancingRequest(
        request_id=str(uuid.uuid4()), application_id=application_id, credit_line_id=line_id
    )


@dataclass(frozen=True)
class GrpcCall:
    """One gRPC operation for either client: the grpc.aio call, or the method and a
    fresh serialized request per slot for the Go load generator."""

    method: str
    call: Op
    request: Callable[[int], bytes]


class GrpcClient:
    """Runs the gRPC path's rounds with grpc.aio, or with one Go load generator per
    credit replica when given. The workers are dealt to the replicas in turn, as a
    round-robin gRPC client spreads its calls. Returns the round unstarted, with its
    requests already built."""

    def __init__(self, targets: Sequence[str], concurrency: int, loadgens: Sequence[GrpcLoad]):
        assert not loadgens or len(loadgens) == len(targets)
        self.targets, self.concurrency, self.loadgens = targets, concurrency, loadgens

    def round_(
        self, name: str, call: GrpcCall, ops: int, metadata: dict[str, str]
    ) -> Awaitable[Figures]:
        if not self.loadgens:
            return measure(name, call.call, ops, self.concurrency)
        replicas = len(self.targets)
        prepared = []
        for i, (target, loadgen) in enumerate(zip(self.targets, self.loadgens, strict=True)):
            share = ops // replicas + (i < ops % replicas)
            slots = range(i, self.concurrency, replicas)
            requests = [[call.request(s) for _ in range(share)] for s in slots]
            prepared.append(loadgen.prepare(name, target, call.method, metadata, requests, share))
        return _together(name, [g.run(r) for g, r in zip(self.loadgens, prepared, strict=True)])


async def _together(name: str, parts: Sequence[Awaitable[Figures]]) -> Figures:
    """One round from its replicas' shares: every call, over the longest share's time."""
    figures = await asyncio.gather(*parts)
    latencies = [x for f in figures for x in f.latencies_s]
    return Figures(name, sum(f.ops for f in figures), max(f.seconds for f in figures), latencies)


class SqlPath:
    """The statements the service sends for the same two commands, minus the service:
    the same SQL texts (imported from the service's modules), in the same order, with
    parameters of the same types and sizes."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def register(self, bank_id: str, ent: str) -> None:
        line_id, request_id = str(uuid.uuid4()), str(uuid.uuid4())
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.fetchval(CLAIM_SQL, f"bench:{bank_id}", request_id, b"f" * 32)
            await conn.fetchrow(PARTY_PAIR_SQL, bank_id, ent)
            today = date.today()
            await conn.execute(
                INSERT_LINE_SQL,
                line_id,
                bank_id,
                ent,
                "OTHER",
                "CNY",
                1_000_000,
                0,
                0,
                True,
                today,
                today + timedelta(days=365),
                None,
                0,
                "ACTIVE",
                1,
                0,
            )
            await conn.executemany(INSERT_AUDIT_SQL, [_audit_row(line_id, request_id, None)])
            await _append_event(conn, line_id, 1, "CreditLineRegistered")
            await conn.execute(RECORD_SQL, f"bench:{bank_id}", request_id, _STATE.encode())

    async def draw(self, bank_id: str, app_id: str, line_id: str, ent: str) -> None:
        request_id = str(uuid.uuid4())
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.fetchval(CLAIM_SQL, f"bench:{bank_id}", request_id, b"f" * 32)
            await conn.fetchrow(SELECT_APPLICATION_SQL, app_id)
            await conn.fetchrow(PARTY_PAIR_SQL, bank_id, ent)
            line = await conn.fetchrow(SELECT_LINE_SQL + " FOR UPDATE", line_id)
            app = await conn.fetchrow(SELECT_APPLICATION_SQL + " FOR UPDATE", app_id)
            assert line is not None and app is not None
            version = await conn.fetchval(DRAW_DOWN_SQL, line_id, line["version"], 1)
            await conn.fetchval(
                UPDATE_APPLICATION_SQL,
                app_id,
                app["version"],
                [],
                app["status"],
                bank_id,
                line_id,
                app["approved_fen"],
                app["disbursed_fen"] + 1,
                app["repaid_fen"],
                app["guarantee_fen"],
                app["version"] + 1,
                # What the service writes: the term, set by the first tranche.
                app["first_drawn_on"] or date.today(),
                app["maturity_date"] or date.today() + timedelta(days=365),
                app["overdue_since"],
                app["compensated_fen"],
                app["approved_on"],
                app["due_soon_notified_for"],
                app["extended_months"],
                app["risk_class"],
            )
            await conn.executemany(
                INSERT_AUDIT_SQL,
                [_audit_row(line_id, request_id, _STATE), _audit_row(app_id, request_id, _STATE)],
            )
            await conn.execute(
                INSERT_MOVEMENT_SQL,
                str(uuid.uuid4()),
                "DRAWDOWN",
                line_id,
                app_id,
                1,
                0,
                version,
            )
            await _append_event(conn, line_id, version, "FundsDisbursed")
            await conn.execute(RECORD_SQL, f"bench:{bank_id}", request_id, _STATE.encode())


_STATE = json.dumps({"limit_fen": 1, "utilized_fen": 0, "padding": "x" * 400})
# The service's statement with the bench's copy of the outbox table (same columns,
# defaults and indexes), so the service's relay does not ship these rows.
_APPEND_BENCH_EVENT_SQL = APPEND_EVENT_SQL.replace(
    "INSERT INTO outbox ", "INSERT INTO bench_outbox "
)
assert _APPEND_BENCH_EVENT_SQL != APPEND_EVENT_SQL


def _audit_row(aggregate_id: str, request_id: str, before: str | None) -> tuple[Any, ...]:
    return ("Bench", aggregate_id, "X", "bench", request_id, before, _STATE)


async def _append_event(
    conn: asyncpg.Connection, line_id: str, version: int, event_type: str
) -> None:
    await conn.execute(
        _APPEND_BENCH_EVENT_SQL,
        str(uuid.uuid4()),
        "bench",
        line_id,
        "Bench",
        line_id,
        version + 10**9 * random.randint(1, 10**6),
        event_type,
        _STATE.encode(),
        new_correlation_id(),
    )


async def _cpu_split(env: dict[str, str], pool: asyncpg.Pool, pids: dict[str, int]) -> CpuSplit:
    backend = await pool.fetchval("SELECT pg_backend_pid()")
    postmaster = parent_pid(backend)
    kafka = listening_pid(int(env["G60_KAFKA_BOOTSTRAP"].rsplit(":", 1)[1]))
    found = {"bench": os.getpid(), **pids, "postgres": postmaster}
    return CpuSplit(found if kafka is None else {**found, "kafka": kafka}, main_thread_of="credit")


async def run(
    env: dict[str, str],
    credit_targets: Sequence[str],
    ops: int,
    concurrency: int,
    rounds: int,
    pids: dict[str, int] | None,
    loadgen_binary: Path | None,
    client_name: str,
    warm_up_ops: int = WARM_UP_OPS,
) -> list[Result]:
    loadgens: list[GrpcLoad] = []
    try:
        if loadgen_binary is not None:
            for _ in credit_targets:
                loadgens.append(await GrpcLoad.start(loadgen_binary, ENGINES[client_name]))
        if pids is not None:
            pids = {**{_replica_name("loadgen", i): g.pid for i, g in enumerate(loadgens)}, **pids}
        client = GrpcClient(credit_targets, concurrency, loadgens)
        path = GrpcPath(env, credit_targets)
        return await _run(env, path, ops, rounds, pids, client, warm_up_ops)
    finally:
        for loadgen in loadgens:
            await loadgen.close()


def _replica_name(name: str, replica: int) -> str:
    """credit, credit-2, ... (and loadgen, loadgen-2, ...): one name per replica."""
    return name if replica == 0 else f"{name}-{replica + 1}"


async def _run(
    env: dict[str, str],
    path: GrpcPath,
    ops: int,
    rounds: int,
    pids: dict[str, int] | None,
    client: GrpcClient,
    warm_up_ops: int,
) -> list[Result]:
    concurrency = client.concurrency
    bank_id, ent = await path.parties()
    await path.credit.RegisterCreditLine(register_request(ent, 1_000), metadata=bank(bank_id))
    apps = [await path.approved_application(bank_id, ent) for _ in range(concurrency)]
    # The service's own pool factory: the same session settings, and no reset query
    # on release (asyncpg's default sends one more round trip per transaction). No more
    # connections than the service processes hold between them: above that concurrency
    # the service queues for a connection, and so does the baseline.
    service_pool = PostgresSettings.from_env(env, "G60_CREDIT", "g60_credit").pool_max_size
    connections = min(concurrency, service_pool * len(client.targets))
    pool = await create_request_pool(
        PostgresSettings(env["G60_CREDIT_PG_DSN"], connections, connections, 10.0)
    )
    await pool.execute("CREATE TABLE IF NOT EXISTS bench_outbox (LIKE outbox INCLUDING ALL)")
    sql = SqlPath(pool)
    app_lines = {
        r["application_id"]: str(r["credit_line_id"])
        for r in await pool.fetch(
            """SELECT application_id::text, credit_line_id FROM financing_applications
               WHERE application_id = ANY($1::uuid[])""",
            apps,
        )
    }

    def draw_request(slot: int) -> credit_pb2.MoveFundsRequest:
        return credit_pb2.MoveFundsRequest(
            request_id=str(uuid.uuid4()), application_id=apps[slot], amount_fen=1
        )

    async def grpc_register(slot: int) -> object:
        return await path.replica(slot).RegisterCreditLine(
            register_request(ent, 1_000_000), metadata=bank(bank_id), timeout=30
        )

    async def grpc_draw(slot: int) -> object:
        return await path.replica(slot).Drawdown(
            draw_request(slot), metadata=bank(bank_id), timeout=30
        )

    register = GrpcCall(
        f"/{CREDIT_SERVICE}/RegisterCreditLine",
        grpc_register,
        lambda _: register_request(ent, 1_000_000).SerializeToString(),
    )
    draw = GrpcCall(
        f"/{CREDIT_SERVICE}/Drawdown", grpc_draw, lambda s: draw_request(s).SerializeToString()
    )

    async def sql_draw(slot: int) -> None:
        await sql.draw(bank_id, apps[slot], app_lines[apps[slot]], ent)

    async def sql_register(_: int) -> None:
        await sql.register(bank_id, ent)

    # Every operation on both paths, long enough for a fresh Kafka JVM's JIT to settle:
    # otherwise the first gRPC rounds pay for compiling the broker's transaction path.
    metadata = dict(bank(bank_id))
    for call, direct in ((register, sql_register), (draw, sql_draw)):
        await client.round_("warm-up", call, warm_up_ops, metadata)
        await measure("warm-up", direct, warm_up_ops, concurrency)
    split = None if pids is None else await _cpu_split(env, pool, pids)

    async def round_(figures: Awaitable[Figures]) -> Figures:
        return await (figures if split is None else split.around(figures))

    results = []
    for name, via_grpc, direct in (
        ("RegisterCreditLine", register, sql_register),
        ("Drawdown", draw, sql_draw),
    ):
        # Alternate the two paths so drift on a shared machine hits both alike.
        pairs = [
            (
                await round_(client.round_(f"{name} via gRPC", via_grpc, ops, metadata)),
                await round_(measure(f"{name} direct SQL", direct, ops, concurrency)),
            )
            for _ in range(rounds)
        ]
        via_grpc_round = median_round(p[0] for p in pairs)
        direct_round = median_round(p[1] for p in pairs)
        cpu_ratio = None if split is None else split.ratio(via_grpc_round.name, direct_round.name)
        pooled = pooled_rate(p[0] for p in pairs) / pooled_rate(p[1] for p in pairs)
        results.append((via_grpc_round, direct_round, pooled, cpu_ratio))
    await pool.close()
    for channel in path.channels:
        await channel.close()
    await path.members_channel.close()
    return results


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--ops", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per path")
    parser.add_argument(
        "--warm-up-ops",
        type=int,
        default=WARM_UP_OPS,
        help="operations per path and command before the first measured round",
    )
    parser.add_argument(
        "--cpu", action="store_true", help="print each round's CPU time per op, per process"
    )
    parser.add_argument(
        "--relay",
        choices=("in-process", "separate"),
        default="in-process",
        help="G60_CREDIT_OUTBOX_RELAY: the credit relay inside the service or in its own process",
    )
    parser.add_argument(
        "--credit-replicas",
        type=int,
        default=1,
        help="credit service processes, each on its own port; the gRPC path's workers "
        "are dealt to them in turn (deploy/k8s runs 2)",
    )
    parser.add_argument(
        "--loop",
        choices=tuple(LOOPS),
        default="uvloop",
        help="the bench's event loop, which the direct-SQL baseline runs on",
    )
    parser.add_argument(
        "--client",
        choices=tuple(CLIENTS),
        default="go",
        help="the gRPC path's client: the Go load generator (bench/grpcload) or grpc.aio",
    )
    return parser.parse_args()


def _services(env: dict[str, str], relay: str, credit_replicas: int) -> list[ServiceProcess]:
    """members and the credit replicas (each on its own port, as the deployment's pods),
    plus the credit relay's own process when it runs separately."""
    env["G60_CREDIT_OUTBOX_RELAY"] = relay
    env["G60_CREDIT_RELAY_METRICS_PORT"] = str(find_free_ports(1)[0])
    logs = Path(tempfile.mkdtemp(prefix="bench-credit-"))
    services = [_service("members", "g60_members", env, logs, "G60_MEMBERS_GRPC_BIND")]
    for i in range(credit_replicas):
        name, replica_env = _replica_name("credit", i), _replica_env(env, i)
        services.append(_service(name, "g60_credit", replica_env, logs, "G60_CREDIT_GRPC_BIND"))
    if relay == "separate":
        metrics = f"http:http://127.0.0.1:{env['G60_CREDIT_RELAY_METRICS_PORT']}/metrics"
        relay_log = logs / "credit-relay.log"
        services.append(
            ServiceProcess("credit-relay", "g60_credit.outbox_relay", env, relay_log, metrics)
        )
    return services


def _service(name: str, module: str, env: dict[str, str], logs: Path, bind: str) -> ServiceProcess:
    port = env[bind].rsplit(":", 1)[1]
    return ServiceProcess(name, module, env, logs / f"{name}.log", f"grpc:{port}")


def _replica_env(env: dict[str, str], replica: int) -> dict[str, str]:
    """The first replica keeps the platform's ports; each further one gets free ones."""
    if replica == 0:
        return env
    grpc_port, metrics_port = find_free_ports(2)
    return {
        **env,
        "G60_CREDIT_GRPC_BIND": f"127.0.0.1:{grpc_port}",
        "G60_CREDIT_GRPC_TARGET": f"127.0.0.1:{grpc_port}",
        "G60_CREDIT_METRICS_PORT": str(metrics_port),
    }


def _report(args: argparse.Namespace, started: datetime, results: list[Result]) -> None:
    print(
        f"# {started:%Y-%m-%d %H:%M} UTC: {args.ops} ops per round, "
        f"median of {args.rounds} alternating rounds, concurrency {args.concurrency}, "
        f"gRPC client {CLIENTS[args.client]}, direct SQL on {args.loop}"
    )
    for via_grpc, direct, pooled, cpu_ratio in results:
        print(via_grpc.line())
        print(direct.line())
        print(f"{'  ratio gRPC / direct SQL':<32} {via_grpc.ops_per_s / direct.ops_per_s:8.2f}")
        print(f"{'  ratio over all rounds pooled':<32} {pooled:8.2f}")
        if cpu_ratio is not None:
            print(f"{'  CPU per op, direct SQL / gRPC':<32} {cpu_ratio:8.2f}")


def main() -> None:
    args = _arguments()
    with tempfile.TemporaryDirectory(prefix="bench-credit-grpcload-") as work:
        # Built before the stack starts: a missing toolchain fails in seconds.
        _bench(args, None if args.client == "python" else build(Path(work)))


def _bench(args: argparse.Namespace, loadgen_binary: Path | None) -> None:
    external = endpoints_from_env()
    stack = None if external else start_stack()
    endpoints = external or stack.endpoints  # type: ignore[union-attr]
    for name in ("g60_members", "g60_credit"):
        asyncio.run(ensure_database(endpoints.pg_dsn, name))
    env = platform_env(endpoints.pg_dsn, endpoints.kafka_bootstrap)
    services = _services(env, args.relay, args.credit_replicas)
    credit_targets = [s.env["G60_CREDIT_GRPC_TARGET"] for s in services if s.module == "g60_credit"]
    try:
        for s in services:
            s.start()
        for s in services:
            s.wait_ready()
        started = datetime.now(UTC)
        pids = {s.name: s.process.pid for s in services if s.process is not None}
        results = LOOPS[args.loop](
            run(
                env,
                credit_targets,
                args.ops,
                args.concurrency,
                args.rounds,
                pids if args.cpu else None,
                loadgen_binary,
                args.client,
                args.warm_up_ops,
            )
        )
        _report(args, started, results)
    finally:
        for s in reversed(services):
            s.stop()
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    main()
