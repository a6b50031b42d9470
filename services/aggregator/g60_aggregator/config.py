"""Aggregator settings, read once from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from g60common.config import KafkaSettings, env_float, env_int, env_str


@dataclass(frozen=True)
class AggregatorSettings:
    app_id: str
    kafka: KafkaSettings
    web_port: int
    publish_interval_s: float
    data_dir: str

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AggregatorSettings:
        return cls(
            app_id=env_str(env, "G60_AGGREGATOR_APP_ID", "g60-aggregator"),
            kafka=KafkaSettings.from_env(env),
            web_port=env_int(env, "G60_AGGREGATOR_WEB_PORT", 6066),
            publish_interval_s=env_float(env, "G60_AGGREGATOR_PUBLISH_INTERVAL_S", 0.2),
            data_dir=env_str(env, "G60_AGGREGATOR_DATA_DIR", "/tmp/g60-aggregator"),
        )
