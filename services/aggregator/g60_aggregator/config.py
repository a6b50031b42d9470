"""Aggregator settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from g60common.config import KafkaSettings, env_float, env_int, env_str, listen_host
from g60common.kafka import TOPIC_TOTALS

GUARANTEES = ("at_least_once", "exactly_once")


@dataclass(frozen=True)
class AggregatorSettings:
    app_id: str
    kafka: KafkaSettings
    web_host: str
    web_port: int
    publish_interval_s: float
    data_dir: str
    # A replay publishes to its own totals topic so it never mixes with the live view.
    totals_topic: str
    processing_guarantee: str
    credit_pg_dsn: str
    reconcile_timeout_s: float
    # How soon a dead worker's partitions move to a live one.
    session_timeout_s: float
    producer_linger_s: float

    @property
    def served_topic(self) -> str:
        """Disbursements re-keyed by enterprise id; owned by this app id."""
        return f"{self.app_id}-enterprise-served"

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AggregatorSettings:
        guarantee = env_str(env, "G60_AGGREGATOR_PROCESSING_GUARANTEE", "at_least_once")
        if guarantee not in GUARANTEES:
            raise ValueError(f"G60_AGGREGATOR_PROCESSING_GUARANTEE must be one of {GUARANTEES}")
        return cls(
            app_id=env_str(env, "G60_AGGREGATOR_APP_ID", "g60-aggregator"),
            kafka=KafkaSettings.from_env(env),
            web_host=listen_host(env),
            web_port=env_int(env, "G60_AGGREGATOR_WEB_PORT", 6066),
            publish_interval_s=env_float(env, "G60_AGGREGATOR_PUBLISH_INTERVAL_S", 0.2),
            data_dir=env_str(env, "G60_AGGREGATOR_DATA_DIR", "/tmp/g60-aggregator"),
            totals_topic=env_str(env, "G60_AGGREGATOR_TOTALS_TOPIC", TOPIC_TOTALS),
            processing_guarantee=guarantee,
            credit_pg_dsn=env_str(
                env, "G60_CREDIT_PG_DSN", "postgresql://g60@127.0.0.1:5432/g60_credit"
            ),
            reconcile_timeout_s=env_float(env, "G60_AGGREGATOR_RECONCILE_TIMEOUT_S", 60.0),
            session_timeout_s=env_float(env, "G60_AGGREGATOR_SESSION_TIMEOUT_S", 10.0),
            producer_linger_s=env_float(env, "G60_AGGREGATOR_PRODUCER_LINGER_S", 0.01),
        )
