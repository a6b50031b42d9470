"""Local infrastructure (PostgreSQL + Kafka) for tests, benchmarks and `make`-free dev runs.

    from g60common.stack import start_stack
    stack = start_stack()
    try:
        ... stack.pg_dsn, stack.kafka_bootstrap ...
    finally:
        stack.stop()

Or from a shell: `python -m g60common.stack up`.
"""

from __future__ import annotations

import concurrent.futures
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from g60common.stack.jars import KafkaError, ensure_jars
from g60common.stack.kafka import KafkaBroker
from g60common.stack.postgres import PostgresError, PostgresServer

__all__ = [
    "KAFKA_BOOTSTRAP_ENV",
    "PG_DSN_ENV",
    "KafkaBroker",
    "KafkaError",
    "PostgresError",
    "PostgresServer",
    "Stack",
    "StackEndpoints",
    "endpoints_from_env",
    "ensure_jars",
    "start_stack",
]

PG_DSN_ENV = "G60_PG_DSN"
KAFKA_BOOTSTRAP_ENV = "G60_KAFKA_BOOTSTRAP"


@dataclass(frozen=True)
class StackEndpoints:
    """Where the infrastructure is, whoever started it."""

    pg_dsn: str
    kafka_bootstrap: str


def endpoints_from_env() -> StackEndpoints | None:
    """Externally provided infrastructure, when both G60_PG_DSN and G60_KAFKA_BOOTSTRAP are set."""
    pg_dsn = os.environ.get(PG_DSN_ENV)
    bootstrap = os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if pg_dsn and bootstrap:
        return StackEndpoints(pg_dsn=pg_dsn, kafka_bootstrap=bootstrap)
    return None


@dataclass
class Stack:
    """A running PostgreSQL + Kafka pair, with how long each took to become ready."""

    pg: PostgresServer
    kafka: KafkaBroker
    pg_ready_s: float
    kafka_ready_s: float
    total_s: float
    timings_s: dict[str, float] = field(default_factory=dict)

    @property
    def pg_dsn(self) -> str:
        return self.pg.dsn

    @property
    def kafka_bootstrap(self) -> str:
        return self.kafka.bootstrap

    @property
    def endpoints(self) -> StackEndpoints:
        return StackEndpoints(pg_dsn=self.pg_dsn, kafka_bootstrap=self.kafka_bootstrap)

    def stop(self) -> None:
        """Stop both servers concurrently (Kafka's controlled shutdown dominates)."""
        _run_concurrently({"kafka": self.kafka.stop, "postgres": self.pg.stop})

    def state(self) -> dict[str, Any]:
        """JSON-ready description, written by `python -m g60common.stack up`."""
        return {
            "pg_dsn": self.pg_dsn,
            "kafka_bootstrap": self.kafka_bootstrap,
            "postgres": {
                "pid": self.pg.pid,
                "port": self.pg.port,
                "root_dir": str(self.pg.root_dir),
                "data_dir": str(self.pg.data_dir),
                "log": str(self.pg.log_path),
            },
            "kafka": {
                "pid": self.kafka.pid,
                "port": self.kafka.port,
                "controller_port": self.kafka.controller_port,
                "cluster_id": self.kafka.cluster_id,
                "root_dir": str(self.kafka.root_dir),
                "log": str(self.kafka.log_path),
                "stdout": str(self.kafka.stdout_path),
            },
            "timings_s": self.timings_s,
        }

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def _run_concurrently(calls: dict[str, Callable[[], object]]) -> None:
    """Run zero-arg callables in threads; re-raise the first failure once all have finished."""
    with concurrent.futures.ThreadPoolExecutor(len(calls), thread_name_prefix="stack") as pool:
        futures = [pool.submit(fn) for fn in calls.values()]
        concurrent.futures.wait(futures)
    for future in futures:
        error = future.exception()
        if error is not None:
            raise error


def start_stack(
    base_dir: Path | None = None,
    *,
    repo_root: Path | None = None,
    durable: bool = False,
    keep: bool = False,
) -> Stack:
    """Start PostgreSQL and Kafka in parallel threads; stop whichever started if one fails."""
    if base_dir is not None:
        base_dir.mkdir(parents=True, exist_ok=True)
    pg = PostgresServer(base_dir, durable=durable, keep=keep)
    kafka = KafkaBroker(repo_root, base_dir, keep=keep)
    started_at = time.monotonic()
    try:
        _run_concurrently({"postgres": pg.start, "kafka": kafka.start})
    except BaseException:
        _run_concurrently({"postgres": pg.stop, "kafka": kafka.stop})
        raise
    total_s = time.monotonic() - started_at
    pg_ready_s = pg.ready_s or 0.0
    kafka_ready_s = kafka.ready_s or 0.0
    return Stack(
        pg=pg,
        kafka=kafka,
        pg_ready_s=pg_ready_s,
        kafka_ready_s=kafka_ready_s,
        total_s=total_s,
        timings_s={
            "postgres_ready": round(pg_ready_s, 3),
            "kafka_jars": round(kafka.jars_s or 0.0, 3),
            "kafka_ready": round(kafka_ready_s, 3),
            "total": round(total_s, 3),
        },
    )
