"""Why gRPC costs the credit service more than gRPC alone: the two costs do not add up.

    .venv/bin/python bench/grpc_floor.py [--ops 20000] [--statements 6] [--rounds 3]

Three paths, alternating round by round, at concurrency 16, none of them the credit
service:
- "SQL in process": 16 workers in this process (uvloop), each operation one transaction
  of `--statements` trivial statements (`SELECT $1::int + 1`) through a pool built by the
  services' own factory: BEGIN, the statements, COMMIT;
- "gRPC, constant reply": a child process serving RegisterCreditLine through the
  services' own gRPC bootstrap (g60common.grpc_server: interceptor, health, reflection),
  answering every call with the same empty CreditLine, driven by the Go load generator
  (bench/grpcload) that bench_credit.py uses;
- "gRPC + the same SQL": the same server running that transaction before it answers.

For each it prints throughput and CPU µs per operation of the process doing the work,
in all and on its event-loop thread. If costs simply added up, the third path's loop
would cost the sum of the first two; the last line prints by how much it exceeds that.
Uses G60_PG_DSN / G60_KAFKA_BOOTSTRAP when both are set, else starts its own stack.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import uvloop
from cpu import cpu_seconds
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60common.config import PostgresSettings
from g60common.db import create_request_pool
from g60common.grpc_server import GrpcService, start_grpc_server
from g60common.stack import endpoints_from_env, start_stack
from grpcload import GrpcLoad, build

CONCURRENCY = 16
METHOD = "/g60.credit.v1.CreditService/RegisterCreditLine"
STATEMENT = "SELECT $1::int + 1"


async def _pool(dsn: str) -> asyncpg.Pool:
    settings = PostgresSettings(
        dsn=dsn, pool_min_size=CONCURRENCY, pool_max_size=CONCURRENCY, command_timeout_s=10.0
    )
    return await create_request_pool(settings)


def _transaction(pool: asyncpg.Pool, statements: int) -> Callable[[], Awaitable[None]]:
    async def run() -> None:
        async with pool.acquire() as conn, conn.transaction():
            for i in range(statements):
                await conn.fetchval(STATEMENT, i)

    return run


# --- the child: a gRPC server with the services' bootstrap -------------------------------


class _ConstantServicer(credit_pb2_grpc.CreditServiceServicer):  # type: ignore[misc]
    def __init__(self, work: Callable[[], Awaitable[None]] | None) -> None:
        self._work = work
        self._reply = credit_pb2.CreditLine()

    async def RegisterCreditLine(self, request: Any, context: Any) -> Any:
        if self._work is not None:
            await self._work()
        return self._reply


async def _serve(port: int, dsn: str | None, statements: int) -> None:
    work = _transaction(await _pool(dsn), statements) if dsn else None
    # The generated base answers UNIMPLEMENTED for every other method.
    servicer = _ConstantServicer(work)  # type: ignore[abstract]
    server, _, _ = await start_grpc_server(
        [
            GrpcService(
                "g60.credit.v1.CreditService",
                lambda s: credit_pb2_grpc.add_CreditServiceServicer_to_server(servicer, s),
            )
        ],
        f"127.0.0.1:{port}",
        "grpc-floor",
    )
    print("ready", flush=True)
    await server.wait_for_termination()


# --- the parent: rounds and figures ------------------------------------------------------


class _Server:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    @classmethod
    async def start(cls, dsn: str | None, statements: int) -> _Server:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        argv = [__file__, "--serve", str(port), "--statements", str(statements)]
        process = await asyncio.create_subprocess_exec(
            sys.executable, *argv, *(["--dsn", dsn] if dsn else []), stdout=asyncio.subprocess.PIPE
        )
        assert process.stdout is not None
        if await process.stdout.readline() != b"ready\n":
            raise RuntimeError("grpc_floor: the server did not start")
        return cls(process, port)

    def cpu_s(self) -> tuple[float, float]:
        pid = self.process.pid
        return cpu_seconds(pid), cpu_seconds(pid, pid)

    async def stop(self) -> None:
        self.process.kill()
        await self.process.wait()


async def _in_process_round(work: Callable[[], Awaitable[None]], ops: int) -> tuple[float, ...]:
    remaining = iter(range(ops))

    async def worker() -> None:
        for _ in remaining:
            await work()

    cpu_before, started = cpu_seconds(os.getpid()), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    cpu_us = (cpu_seconds(os.getpid()) - cpu_before) / ops * 1e6
    # One thread does this path's work: the process is its loop.
    return ops / (time.perf_counter() - started), cpu_us, cpu_us


async def _grpc_round(load: GrpcLoad, server: _Server, ops: int) -> tuple[float, ...]:
    request = credit_pb2.RegisterCreditLineRequest(request_id="r" * 36).SerializeToString()
    round_ = load.prepare(
        "grpc", f"127.0.0.1:{server.port}", METHOD, {}, [[request] * ops] * CONCURRENCY, ops
    )
    (process_before, loop_before) = server.cpu_s()
    figures = await load.run(round_)
    (process_after, loop_after) = server.cpu_s()
    return (
        figures.ops_per_s,
        (process_after - process_before) / ops * 1e6,
        (loop_after - loop_before) / ops * 1e6,
    )


async def _bench(args: argparse.Namespace, dsn: str, binary: Path) -> None:
    pool = await _pool(dsn)
    work = _transaction(pool, args.statements)
    constant = await _Server.start(None, args.statements)
    with_sql = await _Server.start(dsn, args.statements)
    load = await GrpcLoad.start(binary)
    paths: dict[str, Callable[[int], Awaitable[tuple[float, ...]]]] = {
        "SQL in process": lambda ops: _in_process_round(work, ops),
        "gRPC, constant reply": lambda ops: _grpc_round(load, constant, ops),
        "gRPC + the same SQL": lambda ops: _grpc_round(load, with_sql, ops),
    }
    results: dict[str, list[tuple[float, ...]]] = {name: [] for name in paths}
    try:
        for path in paths.values():  # warm-up: connections, plans, caches
            await path(args.ops // 4)
        for _ in range(args.rounds):
            for name, path in paths.items():
                results[name].append(await path(args.ops))
    finally:
        await load.close()
        await constant.stop()
        await with_sql.stop()
        await pool.close()
    _report(args, results)


def _report(args: argparse.Namespace, results: dict[str, list[tuple[float, ...]]]) -> None:
    print(
        f"# {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {args.ops} ops per round, "
        f"medians of {args.rounds} alternating rounds, concurrency {CONCURRENCY}, "
        f"{args.statements} statements per transaction"
    )
    medians = {
        name: [statistics.median(r[i] for r in rounds) for i in range(3)]
        for name, rounds in results.items()
    }
    for name, (rate, process_us, loop_us) in medians.items():
        print(
            f"{name:<24} {rate:7.0f} ops/s   CPU {process_us:5.0f} µs/op, "
            f"event loop {loop_us:5.0f} µs/op"
        )
    sql, grpc_only, both = (medians[name][2] for name in results)
    print(
        f"event loop: gRPC + SQL {both:.0f} µs/op against {grpc_only:.0f} + {sql:.0f} = "
        f"{grpc_only + sql:.0f}; excess {both - grpc_only - sql:.0f} µs/op"
    )


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--ops", type=int, default=20000)
    parser.add_argument("--statements", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)  # the child's port
    parser.add_argument("--dsn", help=argparse.SUPPRESS)  # the child's database, if any
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    if args.serve is not None:
        uvloop.run(_serve(args.serve, args.dsn, args.statements))
        return
    external = endpoints_from_env()
    stack = None if external else start_stack()
    endpoints = external or stack.endpoints  # type: ignore[union-attr]
    try:
        with tempfile.TemporaryDirectory(prefix="bench-grpc-floor-") as work:
            binary = build(Path(work))
            uvloop.run(_bench(args, endpoints.pg_dsn, binary))
    finally:
        if stack is not None:
            stack.stop()


if __name__ == "__main__":
    main()
