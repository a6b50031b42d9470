"""Gateway settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from g60common.config import (
    KafkaSettings,
    PostgresSettings,
    env_float,
    env_int,
    env_str,
    listen_host,
)


@dataclass(frozen=True)
class WebhookSettings:
    enabled: bool
    attempt_timeout_s: float
    max_attempts: int
    backoff_base_s: float
    backoff_max_s: float
    batch_size: int
    poll_interval_s: float
    # Local stack and tests receive on 127.0.0.1; production must leave this off.
    allow_private_targets: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings:
        return cls(
            enabled=env_str(env, "G60_GATEWAY_WEBHOOKS", "on") == "on",
            attempt_timeout_s=env_float(env, "G60_WEBHOOK_ATTEMPT_TIMEOUT_S", 5.0),
            max_attempts=env_int(env, "G60_WEBHOOK_MAX_ATTEMPTS", 8),
            backoff_base_s=env_float(env, "G60_WEBHOOK_BACKOFF_BASE_S", 0.5),
            backoff_max_s=env_float(env, "G60_WEBHOOK_BACKOFF_MAX_S", 300.0),
            batch_size=env_int(env, "G60_WEBHOOK_BATCH_SIZE", 50),
            poll_interval_s=env_float(env, "G60_WEBHOOK_POLL_INTERVAL_S", 0.5),
            allow_private_targets=env_str(env, "G60_WEBHOOK_ALLOW_PRIVATE_TARGETS", "off") == "on",
        )


@dataclass(frozen=True)
class SignupSettings:
    """The public SME sign-up's limit per client address: a handful at once, then one
    every 10 s. A real SME signs up once; a script trying USCCs to learn who is
    registered is slowed to a crawl."""

    rate_per_s: float
    burst: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> SignupSettings:
        return cls(
            rate_per_s=env_float(env, "G60_GATEWAY_SIGNUP_RATE_PER_S", 0.1),
            burst=env_int(env, "G60_GATEWAY_SIGNUP_BURST", 5),
        )


# Each use of the request pool (one statement or one transaction, waiting for a
# connection included) must finish within this, or the request is answered 503. The
# gateway's statements are single indexed reads and writes, so it is the gRPC deadline
# rather than the services' 10 s.
DEFAULT_DATABASE_DEADLINE_S = 5.0
# The webhook consumer and sender and the housekeeping passes share this many
# connections, apart from the request pool (G60_GATEWAY_PG_POOL_MAX), so they can never
# take the connections requests need.
DEFAULT_BACKGROUND_POOL_MAX = 5


def _postgres(env: Mapping[str, str]) -> PostgresSettings:
    """The request pool's settings; its deadline is `transaction_timeout_s`."""
    settings = PostgresSettings.from_env(env, "G60_GATEWAY", "g60_gateway")
    deadline_s = env_float(env, "G60_GATEWAY_PG_TRANSACTION_TIMEOUT_S", DEFAULT_DATABASE_DEADLINE_S)
    return replace(settings, transaction_timeout_s=deadline_s)


@dataclass(frozen=True)
class GatewaySettings:
    port: int
    listen_host: str
    postgres: PostgresSettings
    background_pool_max: int
    kafka: KafkaSettings
    members_target: str
    credit_target: str
    aggregator_url: str
    grpc_deadline_s: float
    max_body_bytes: int
    rate_per_s: float
    rate_burst: int
    idempotency_wait_s: float
    idempotency_retention_s: float
    secret_replay_s: float  # how long an answer carrying an API key can be replayed
    webhooks: WebhookSettings
    signup: SignupSettings
    log_json: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GatewaySettings:
        return cls(
            port=env_int(env, "G60_GATEWAY_PORT", 8080),
            listen_host=listen_host(env),
            postgres=_postgres(env),
            background_pool_max=env_int(
                env, "G60_GATEWAY_PG_BACKGROUND_POOL_MAX", DEFAULT_BACKGROUND_POOL_MAX
            ),
            kafka=KafkaSettings.from_env(env),
            members_target=env_str(env, "G60_MEMBERS_GRPC_TARGET", "127.0.0.1:50051"),
            credit_target=env_str(env, "G60_CREDIT_GRPC_TARGET", "127.0.0.1:50052"),
            aggregator_url=env_str(env, "G60_AGGREGATOR_URL", "http://127.0.0.1:6066"),
            grpc_deadline_s=env_float(env, "G60_GATEWAY_GRPC_DEADLINE_S", 5.0),
            max_body_bytes=env_int(env, "G60_GATEWAY_MAX_BODY_BYTES", 64 * 1024),
            rate_per_s=env_float(env, "G60_GATEWAY_RATE_PER_S", 50.0),
            rate_burst=env_int(env, "G60_GATEWAY_RATE_BURST", 100),
            idempotency_wait_s=env_float(env, "G60_GATEWAY_IDEMPOTENCY_WAIT_S", 10.0),
            idempotency_retention_s=env_float(
                env, "G60_GATEWAY_IDEMPOTENCY_RETENTION_S", 7 * 24 * 3600.0
            ),
            secret_replay_s=env_float(env, "G60_GATEWAY_SECRET_REPLAY_S", 3600.0),
            webhooks=WebhookSettings.from_env(env),
            signup=SignupSettings.from_env(env),
            log_json=env_str(env, "G60_LOG_FORMAT", "text") == "json",
        )
