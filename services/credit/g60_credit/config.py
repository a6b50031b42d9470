"""Credit service settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from g60common.config import (
    KafkaSettings,
    PostgresSettings,
    env_float,
    env_int,
    env_str,
    listen_host,
)


@dataclass(frozen=True)
class CreditSettings:
    grpc_bind: str
    metrics_port: int
    listen_host: str
    postgres: PostgresSettings
    kafka: KafkaSettings
    members_target: str
    log_json: bool
    # How often the sweeper looks for lines past their window, and how many it
    # expires per transaction.
    expiry_sweep_interval_s: float = 60.0
    expiry_batch_size: int = 200

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CreditSettings:
        return cls(
            grpc_bind=env_str(env, "G60_CREDIT_GRPC_BIND", "127.0.0.1:50052"),
            listen_host=listen_host(env),
            metrics_port=env_int(env, "G60_CREDIT_METRICS_PORT", 9102),
            postgres=PostgresSettings.from_env(env, "G60_CREDIT", "g60_credit"),
            kafka=KafkaSettings.from_env(env),
            members_target=env_str(env, "G60_MEMBERS_GRPC_TARGET", "127.0.0.1:50051"),
            log_json=env_str(env, "G60_LOG_FORMAT", "text") == "json",
            expiry_sweep_interval_s=env_float(env, "G60_CREDIT_EXPIRY_SWEEP_S", 60.0),
            expiry_batch_size=env_int(env, "G60_CREDIT_EXPIRY_BATCH", 200),
        )
