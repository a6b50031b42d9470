"""Kafka topics and client settings, written out explicitly.

aiokafka's producer defaults to acks=1 without idempotence, which can lose or
duplicate money events; every producer here states its guarantees.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from g60common.config import KafkaSettings

log = logging.getLogger(__name__)

TOPIC_MEMBER_EVENTS = "g60.members.events.v1"
TOPIC_CREDIT_EVENTS = "g60.credit.events.v1"
TOPIC_TOTALS = "g60.aggregator.totals.v1"
EVENT_TOPIC_PARTITIONS = 6

# Event topics are the source for replays, so nothing may age out of them.
_KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "min.insync.replicas": "1"}


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int = EVENT_TOPIC_PARTITIONS
    config: dict[str, str] = field(default_factory=lambda: dict(_KEEP_FOREVER))


EVENT_TOPICS = (TopicSpec(TOPIC_MEMBER_EVENTS), TopicSpec(TOPIC_CREDIT_EVENTS))
TOTALS_TOPIC = TopicSpec(
    TOPIC_TOTALS, partitions=1, config={"cleanup.policy": "compact", **_KEEP_FOREVER}
)


def producer_settings(
    kafka: KafkaSettings, *, transactional_id: str | None = None
) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "request_timeout_ms": kafka.request_timeout_ms,
        "linger_ms": 5,
        "max_batch_size": 256 * 1024,
        "compression_type": None,
    }
    if transactional_id is not None:
        settings["transactional_id"] = transactional_id
        settings["transaction_timeout_ms"] = 60_000
    return settings


def consumer_settings(kafka: KafkaSettings, *, group_id: str | None) -> dict[str, Any]:
    return {
        "bootstrap_servers": kafka.bootstrap,
        "group_id": group_id,
        # Aborted relay transactions must never be seen as events.
        "isolation_level": "read_committed",
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "request_timeout_ms": kafka.request_timeout_ms,
        "session_timeout_ms": 10_000,
        "heartbeat_interval_ms": 3_000,
        "max_poll_records": 500,
    }


async def ensure_topics(kafka: KafkaSettings, specs: tuple[TopicSpec, ...]) -> None:
    """Create the topics that do not exist yet; existing ones are left as they are."""
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap, request_timeout_ms=30_000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if not missing:
            return
        new = [NewTopic(s.name, s.partitions, 1, topic_configs=s.config) for s in missing]
        try:
            await admin.create_topics(new)
        except TopicAlreadyExistsError:
            log.info("topics created concurrently by another process")
    finally:
        await admin.close()
