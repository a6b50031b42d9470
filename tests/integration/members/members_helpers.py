"""Request builders and Kafka/DB probes shared by the members integration tests."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from g60.events.v1 import envelope_pb2
from g60.members.v1 import members_pb2
from g60common.events import decode_envelope
from g60common.kafka import EVENT_TOPIC_PARTITIONS, TOPIC_MEMBER_EVENTS
from g60common.launcher import ServiceProcess
from g60common.uscc import random_uscc


def service_process(env: dict[str, str], name: str, log_dir: Path) -> ServiceProcess:
    """`python -m g60_<name>` as a subprocess, ready when its gRPC health check serves."""
    port = env[f"G60_{name.upper()}_GRPC_BIND"].rsplit(":", 1)[1]
    return ServiceProcess(name, f"g60_{name}", env, log_dir / f"{name}.log", f"grpc:{port}")


_RNG = random.Random(uuid.uuid4().int)


def new_uscc(division: str = "330100") -> str:
    """A valid code unlikely to repeat across test runs on a reused stack."""
    return random_uscc(_RNG, division)


def bank_request(**overrides: str) -> members_pb2.RegisterMemberRequest:
    fields = {
        "request_id": str(uuid.uuid4()),
        "name": "杭州联合银行",
        "short_name": "杭联行",
        "institution_type": "BANK",
        "home_city": "330100",
        "uscc": new_uscc(),
        "contact": "0571-1234567",
    }
    return members_pb2.RegisterMemberRequest(**{**fields, **overrides})


def enterprise_request(**overrides: object) -> members_pb2.RegisterEnterpriseRequest:
    fields: dict[str, object] = {
        "request_id": str(uuid.uuid4()),
        "name": "嘉兴智能装备有限公司",
        "uscc": new_uscc("330400"),
        "city": "330400",
        "industry": "HIGH_END_EQUIPMENT",
        "size_class": "SMALL",
        "designations": ["SPECIALISED_SOPHISTICATED"],
        "registered_capital_fen": 50_000_000_00,
    }
    return members_pb2.RegisterEnterpriseRequest(**{**fields, **overrides})  # type: ignore[arg-type]


async def member_events(
    bootstrap: str, aggregate_ids: set[str], expected: int, timeout_s: float = 30.0
) -> list[envelope_pb2.EventEnvelope]:
    """Every committed event of these aggregates on the members topic, polling until at
    least `expected` are there (the relay publishes asynchronously) or time runs out."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = await _read_topic(bootstrap, aggregate_ids)
        if len(found) >= expected or time.monotonic() > deadline:
            return found
        await asyncio.sleep(0.5)


async def _read_topic(bootstrap: str, aggregate_ids: set[str]) -> list[envelope_pb2.EventEnvelope]:
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
    )
    await consumer.start()
    try:
        partitions = [TopicPartition(TOPIC_MEMBER_EVENTS, p) for p in range(EVENT_TOPIC_PARTITIONS)]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        end = await consumer.end_offsets(partitions)
        found: list[envelope_pb2.EventEnvelope] = []
        deadline = time.monotonic() + 20.0
        while [tp for tp in partitions if await consumer.position(tp) < end[tp]]:
            assert time.monotonic() < deadline, "could not read the topic to its end"
            batches = await consumer.getmany(timeout_ms=500)
            for record in (r for batch in batches.values() for r in batch):
                envelope = decode_envelope(record.value)
                if envelope.aggregate_id in aggregate_ids:
                    assert record.key == envelope.aggregate_id.encode(), "keyed by aggregate id"
                    found.append(envelope)
        return found
    finally:
        await consumer.stop()


async def wait_until(probe: Callable[[], Awaitable[bool]], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await probe():
        assert time.monotonic() < deadline, "condition not reached in time"
        await asyncio.sleep(0.2)


def self_registration_request(**overrides: str) -> members_pb2.SelfRegisterEnterpriseRequest:
    fields = {
        "request_id": str(uuid.uuid4()),
        "name": "芜湖智能机器人有限公司",
        "uscc": new_uscc("340200"),
        "city": "340200",
        "industry": "HIGH_END_EQUIPMENT",
        "size_class": "SMALL",
        "contact": "王女士 0553-1234567",
    }
    return members_pb2.SelfRegisterEnterpriseRequest(**{**fields, **overrides})


def decision_request(
    enterprise_id: str, expected_version: int = 0, request_id: str = ""
) -> members_pb2.ChangeEnterpriseStatusRequest:
    return members_pb2.ChangeEnterpriseStatusRequest(
        request_id=request_id or str(uuid.uuid4()),
        enterprise_id=enterprise_id,
        reason="营业执照与法人身份核验",
        expected_version=expected_version,
    )
