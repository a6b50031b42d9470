"""Gateway settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from g60common.config import PostgresSettings, env_float, env_int, env_str


@dataclass(frozen=True)
class GatewaySettings:
    port: int
    postgres: PostgresSettings
    members_target: str
    credit_target: str
    aggregator_url: str
    grpc_deadline_s: float
    max_body_bytes: int
    log_json: bool

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> GatewaySettings:
        return cls(
            port=env_int(env, "G60_GATEWAY_PORT", 8080),
            postgres=PostgresSettings.from_env(env, "G60_GATEWAY", "g60_gateway"),
            members_target=env_str(env, "G60_MEMBERS_GRPC_TARGET", "127.0.0.1:50051"),
            credit_target=env_str(env, "G60_CREDIT_GRPC_TARGET", "127.0.0.1:50052"),
            aggregator_url=env_str(env, "G60_AGGREGATOR_URL", "http://127.0.0.1:6066"),
            grpc_deadline_s=env_float(env, "G60_GATEWAY_GRPC_DEADLINE_S", 5.0),
            max_body_bytes=env_int(env, "G60_GATEWAY_MAX_BODY_BYTES", 64 * 1024),
            log_json=env_str(env, "G60_LOG_FORMAT", "text") == "json",
        )
