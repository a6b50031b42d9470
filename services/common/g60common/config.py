"""Typed settings read from the environment once, at process start.

Each process builds one frozen settings object in its entrypoint and passes it down;
nothing below the entrypoint reads os.environ.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass


class ConfigError(ValueError):
    """An environment variable is present but unusable."""


def env_str(env: Mapping[str, str], name: str, default: str) -> str:
    return env.get(name, default)


def env_int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from exc


def env_float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from exc


def env_positive_float(env: Mapping[str, str], name: str, default: float) -> float:
    """A duration or interval: zero, negative or infinite is refused at startup rather
    than turned into a loop that spins or a purge that deletes everything."""
    value = env_float(env, name, default)
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be a positive number, got {env.get(name, default)!r}")
    return value


DEFAULT_TRANSACTION_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class PostgresSettings:
    """How a process talks to its database, and how long anything may take there.

    Three bounds, each on what it can see (g60common.db, docs/architecture.md):
    - `command_timeout_s`, client side, per statement: pools whose users run loose
      statements (the gateway, background tasks).
    - `transaction_timeout_s`, client side, per unit of work: the gRPC services'
      request pools, where every statement runs inside one (g60common.uow).
    - `statement_timeout_s` and `idle_in_transaction_timeout_s`, server side, on every
      session: PostgreSQL ends a runaway statement, and a transaction whose client went
      quiet (paused, partitioned) instead of letting it keep its row locks.
    """

    dsn: str
    pool_min_size: int
    pool_max_size: int
    command_timeout_s: float
    transaction_timeout_s: float = DEFAULT_TRANSACTION_TIMEOUT_S
    statement_timeout_s: float = 10.0
    idle_in_transaction_timeout_s: float = 30.0

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str, default_db: str) -> PostgresSettings:
        return cls(
            dsn=env_str(env, f"{prefix}_PG_DSN", f"postgresql://g60@127.0.0.1:5432/{default_db}"),
            pool_min_size=env_int(env, f"{prefix}_PG_POOL_MIN", 2),
            pool_max_size=env_int(env, f"{prefix}_PG_POOL_MAX", 20),
            command_timeout_s=env_float(env, f"{prefix}_PG_COMMAND_TIMEOUT_S", 10.0),
            transaction_timeout_s=env_float(
                env, f"{prefix}_PG_TRANSACTION_TIMEOUT_S", DEFAULT_TRANSACTION_TIMEOUT_S
            ),
            statement_timeout_s=env_float(env, f"{prefix}_PG_STATEMENT_TIMEOUT_S", 10.0),
            idle_in_transaction_timeout_s=env_float(
                env, f"{prefix}_PG_IDLE_IN_TRANSACTION_TIMEOUT_S", 30.0
            ),
        )


@dataclass(frozen=True)
class KafkaSettings:
    bootstrap: str
    request_timeout_ms: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> KafkaSettings:
        return cls(
            bootstrap=env_str(env, "G60_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
            request_timeout_ms=env_int(env, "G60_KAFKA_REQUEST_TIMEOUT_MS", 30_000),
        )


# A month. It must stay well above the gateway's Idempotency-Key retention (a week,
# G60_GATEWAY_IDEMPOTENCY_RETENTION_S): a gateway retry inside its window re-sends the
# same downstream request id, and must find the stored answer here rather than run again.
DEFAULT_IDEMPOTENCY_RETENTION_S = 30 * 24 * 3600.0
DEFAULT_IDEMPOTENCY_PURGE_INTERVAL_S = 3600.0
# Rows per DELETE: each batch is one short transaction, so the purge never holds many
# row locks or writes a burst of WAL at once.
IDEMPOTENCY_PURGE_BATCH = 10_000


@dataclass(frozen=True)
class IdempotencySettings:
    """How long a gRPC service keeps its request-id records (`idempotency_keys`), and how
    often it purges older ones. A retry is safe within `retention_s`; after that the same
    request id is treated as a new request."""

    retention_s: float = DEFAULT_IDEMPOTENCY_RETENTION_S
    purge_interval_s: float = DEFAULT_IDEMPOTENCY_PURGE_INTERVAL_S
    purge_batch_size: int = IDEMPOTENCY_PURGE_BATCH

    @classmethod
    def from_env(cls, env: Mapping[str, str], prefix: str) -> IdempotencySettings:
        return cls(
            retention_s=env_positive_float(
                env, f"{prefix}_IDEMPOTENCY_RETENTION_S", DEFAULT_IDEMPOTENCY_RETENTION_S
            ),
            purge_interval_s=env_positive_float(
                env, f"{prefix}_IDEMPOTENCY_PURGE_INTERVAL_S", DEFAULT_IDEMPOTENCY_PURGE_INTERVAL_S
            ),
        )


def listen_host(env: Mapping[str, str]) -> str:
    """Where HTTP endpoints (metrics, gateway, aggregator web) listen: loopback for the
    local stack; 0.0.0.0 in containers (deploy/k8s sets G60_LISTEN_HOST)."""
    return env_str(env, "G60_LISTEN_HOST", "127.0.0.1")


def process_env() -> Mapping[str, str]:
    """The only place that touches os.environ; entrypoints call it once."""
    return dict(os.environ)
