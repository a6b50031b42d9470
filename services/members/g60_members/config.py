"""Members service settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from g60common.config import (
    IdempotencySettings,
    KafkaSettings,
    PostgresSettings,
    env_float,
    env_int,
    env_str,
    listen_host,
)


@dataclass(frozen=True)
class MembersSettings:
    grpc_bind: str
    metrics_port: int
    listen_host: str
    postgres: PostgresSettings
    kafka: KafkaSettings
    log_json: bool
    gauge_refresh_s: float
    idempotency: IdempotencySettings

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> MembersSettings:
        return cls(
            grpc_bind=env_str(env, "G60_MEMBERS_GRPC_BIND", "127.0.0.1:50051"),
            listen_host=listen_host(env),
            metrics_port=env_int(env, "G60_MEMBERS_METRICS_PORT", 9101),
            postgres=PostgresSettings.from_env(env, "G60_MEMBERS", "g60_members"),
            kafka=KafkaSettings.from_env(env),
            log_json=env_str(env, "G60_LOG_FORMAT", "text") == "json",
            gauge_refresh_s=env_float(env, "G60_MEMBERS_GAUGE_REFRESH_S", 10.0),
            idempotency=IdempotencySettings.from_env(env, "G60_MEMBERS"),
        )
