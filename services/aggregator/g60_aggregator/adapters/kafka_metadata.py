"""Partition lists from the broker (aiokafka's consumer metadata may not know a topic
it has not subscribed to yet)."""

from __future__ import annotations

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from g60common.config import KafkaSettings


async def topic_partitions(kafka: KafkaSettings, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=kafka.bootstrap, request_timeout_ms=kafka.request_timeout_ms
    )
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = sorted(p["partition"] for p in described["partitions"])
    if not partitions:
        raise RuntimeError(f"topic {topic} has no partitions (does it exist?)")
    return [TopicPartition(topic, p) for p in partitions]
