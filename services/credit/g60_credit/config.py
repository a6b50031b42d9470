"""Credit service settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from g60common.config import (
    ConfigError,
    IdempotencySettings,
    KafkaSettings,
    PostgresSettings,
    env_float,
    env_int,
    env_str,
    listen_host,
)
from g60common.outbox.relay import RelaySettings


@dataclass(frozen=True)
class CreditSettings:
    grpc_bind: str
    metrics_port: int
    listen_host: str
    postgres: PostgresSettings
    kafka: KafkaSettings
    members_target: str
    log_json: bool
    idempotency: IdempotencySettings
    # How often the sweeper looks for lines past their window, and how many it
    # expires per transaction.
    expiry_sweep_interval_s: float = 60.0
    expiry_batch_size: int = 200
    # Days an approval stays drawable with nothing drawn (审批有效期); the sweeper then
    # closes it.
    approval_valid_days: int = 90
    # Days before a loan's maturity date that the sweeper announces it falls due
    # (到期提醒, LoanDueSoon).
    due_soon_days: int = 7
    # "in-process": the service publishes its own outbox. "separate": it only appends,
    # and `python -m g60_credit.outbox_relay` (its own process) publishes.
    outbox_relay: str = "in-process"
    relay_metrics_port: int = 9112
    relay_batch_interval_s: float = 0.25

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
            idempotency=IdempotencySettings.from_env(env, "G60_CREDIT"),
            expiry_sweep_interval_s=env_float(env, "G60_CREDIT_EXPIRY_SWEEP_S", 60.0),
            expiry_batch_size=env_int(env, "G60_CREDIT_EXPIRY_BATCH", 200),
            approval_valid_days=_positive(env, "G60_CREDIT_APPROVAL_VALID_DAYS", 90),
            due_soon_days=_positive(env, "G60_CREDIT_DUE_SOON_DAYS", 7),
            outbox_relay=_relay_mode(env_str(env, "G60_CREDIT_OUTBOX_RELAY", "in-process")),
            relay_metrics_port=env_int(env, "G60_CREDIT_RELAY_METRICS_PORT", 9112),
            relay_batch_interval_s=env_float(env, "G60_CREDIT_OUTBOX_BATCH_INTERVAL_S", 0.25),
        )

    @property
    def relay_in_process(self) -> bool:
        return self.outbox_relay == "in-process"

    @property
    def relay(self) -> RelaySettings:
        return RelaySettings(relay_name="credit", min_batch_interval_s=self.relay_batch_interval_s)


RELAY_MODES = ("in-process", "separate")


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = env_int(env, name, default)
    if value <= 0:
        raise ConfigError(f"{name} must be greater than 0, got {value}")
    return value


def _relay_mode(value: str) -> str:
    if value not in RELAY_MODES:
        raise ConfigError(f"G60_CREDIT_OUTBOX_RELAY must be one of {RELAY_MODES}, got {value!r}")
    return value
