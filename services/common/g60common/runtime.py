"""Process lifecycle shared by the gRPC services: metrics endpoint, database pools and
schema, background tasks (outbox relay, projections, the request-id purge), gRPC
server, and a graceful stop on SIGTERM/SIGINT. The outbox relay runs inside the service
process by default, or on its own (`serve_relay`) when a deployment gives it a process
of its own."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg
import uvloop
from prometheus_client import start_http_server

from g60common.config import IdempotencySettings, KafkaSettings, PostgresSettings
from g60common.db import apply_schema, create_pool, create_request_pool
from g60common.grpc_server import GrpcService, start_grpc_server, stop_grpc_server
from g60common.idempotency import SCHEMA_SQL as IDEMPOTENCY_SQL
from g60common.idempotency_purge import run_idempotency_purge
from g60common.kafka import EVENT_TOPICS, ensure_topics
from g60common.outbox.relay import OutboxRelay, RelaySettings
from g60common.outbox.store import SCHEMA_SQL as OUTBOX_SQL

log = logging.getLogger(__name__)

# The relay holds two connections (its leader lock, and the batch it is publishing)
# and briefly a third to count its backlog; each projection, sweeper or purge one at a
# time.
BACKGROUND_POOL_MAX = 6

BackgroundTask = Callable[[asyncpg.Pool, asyncio.Event], Coroutine[None, None, None]]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    grpc_bind: str
    metrics_port: int
    metrics_host: str
    postgres: PostgresSettings
    kafka: KafkaSettings
    schema_files: Sequence[Path]
    # Given the request pool: every statement of a handler runs in a unit of work.
    build_services: Callable[[asyncpg.Pool], Sequence[GrpcService]]
    # The request-id records' retention, purged here since every service has them.
    idempotency: IdempotencySettings
    # Each given the background pool, whose statements carry their own timeouts.
    background: Sequence[BackgroundTask] = ()
    shutdown_grace_s: float = 5.0
    # False when the relay runs in its own process (`serve_relay`); the service then
    # only appends to the outbox, and that process publishes.
    relay_in_process: bool = True
    relay: RelaySettings | None = None  # None: RelaySettings(relay_name=name)


@dataclass(frozen=True)
class RelaySpec:
    """An outbox relay as a process of its own, for one service's database."""

    relay: RelaySettings
    metrics_port: int
    metrics_host: str
    postgres: PostgresSettings
    kafka: KafkaSettings


def serve(spec: ServiceSpec) -> None:
    """Run the service until SIGTERM/SIGINT. uvloop, because asyncpg and grpc.aio spend
    most of their time in the event loop (bench/bench_credit.py: about +35% throughput)."""
    uvloop.run(run_service(spec))


async def run_service(spec: ServiceSpec) -> None:
    start_http_server(spec.metrics_port, addr=spec.metrics_host)
    # Requests and background work (relay, projections, sweepers) draw on pools of
    # their own, so a burst of requests cannot take the connections the relay needs to
    # keep events flowing, nor the reverse. Request handlers use the pool only through
    # a unit of work, whose deadline bounds each transaction (g60common.uow).
    pool = await create_request_pool(spec.postgres)
    background_pool = await create_pool(
        replace(spec.postgres, pool_min_size=1, pool_max_size=BACKGROUND_POOL_MAX)
    )
    await apply_schema(background_pool, OUTBOX_SQL, IDEMPOTENCY_SQL, *spec.schema_files)
    await ensure_topics(spec.kafka, EVENT_TOPICS)
    stop = _stop_on_signals()
    tasks = [asyncio.create_task(task(background_pool, stop)) for task in spec.background]
    purge = run_idempotency_purge(background_pool, stop, spec.name, spec.idempotency)
    tasks.append(asyncio.create_task(purge, name=f"{spec.name}-idempotency-purge"))
    if spec.relay_in_process:
        relay = OutboxRelay(
            background_pool, spec.kafka, spec.relay or RelaySettings(relay_name=spec.name)
        )
        tasks.append(asyncio.create_task(relay.run(stop), name=f"{spec.name}-relay"))
    server, health, port = await start_grpc_server(
        spec.build_services(pool), spec.grpc_bind, spec.name
    )
    log.info("%s serving gRPC on port %d, metrics on %d", spec.name, port, spec.metrics_port)
    await stop.wait()
    await stop_grpc_server(server, health, spec.shutdown_grace_s)
    await asyncio.wait(tasks, timeout=spec.shutdown_grace_s)
    await pool.close()
    await background_pool.close()


def serve_relay(spec: RelaySpec) -> None:
    """Run only the outbox relay until SIGTERM/SIGINT. The relay's advisory lock keeps
    it the single publisher, whether it runs here, in a service process, or both."""
    uvloop.run(run_relay(spec))


async def run_relay(spec: RelaySpec) -> None:
    start_http_server(spec.metrics_port, addr=spec.metrics_host)
    # One connection holds the leader lock and LISTENs; one claims and marks batches.
    pool = await create_pool(replace(spec.postgres, pool_min_size=2, pool_max_size=2))
    await apply_schema(pool, OUTBOX_SQL)
    await ensure_topics(spec.kafka, EVENT_TOPICS)
    stop = _stop_on_signals()
    log.info("outbox relay %s running, metrics on %d", spec.relay.relay_name, spec.metrics_port)
    await OutboxRelay(pool, spec.kafka, spec.relay).run(stop)
    await pool.close()


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
