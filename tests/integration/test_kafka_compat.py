"""aiokafka 0.14 and faust-streaming 0.15 against the local Kafka 4.x broker.

Kafka 4 removed many old protocol versions; these tests pin down that every client
feature the platform relies on still works: idempotent produce, transactions with
read_committed, consumer-group offsets, and a Faust table-backed agent.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from g60common.stack import StackEndpoints

pytestmark = pytest.mark.integration

TEST_TIMEOUT_S = 60.0
FAUST_TIMEOUT_S = 120.0
FAUST_STOP_TIMEOUT_S = 30.0
PROBE_APP = Path(__file__).with_name("faust_probe_app.py")


def unique(prefix: str) -> str:
    return f"compat-{prefix}-{uuid.uuid4().hex[:10]}"


async def create_topic(bootstrap: str, name: str, partitions: int) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, replication_factor=1)])
    finally:
        await admin.close()


async def read_values(
    bootstrap: str,
    topic: str,
    *,
    until: bytes,
    isolation_level: str = "read_committed",
) -> list[bytes]:
    """All values from the start of `topic` up to and including the `until` marker."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        isolation_level=isolation_level,
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        while until not in values:
            batches = await consumer.getmany(timeout_ms=500)
            values += [msg.value for msgs in batches.values() for msg in msgs if msg.value]
    finally:
        await consumer.stop()
    return values


async def test_idempotent_keyed_produce(stack: StackEndpoints) -> None:
    topic = unique("idem")
    await create_topic(stack.kafka_bootstrap, topic, partitions=6)
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, acks="all", enable_idempotence=True
    )
    async with asyncio.timeout(TEST_TIMEOUT_S):
        await producer.start()
        try:
            first = await producer.send_and_wait(topic, b"v1", key=b"member-42")
            second = await producer.send_and_wait(topic, b"v2", key=b"member-42")
        finally:
            await producer.stop()
    # Same key, same partition, consecutive offsets: ordering per key holds.
    assert first.partition == second.partition
    assert second.offset == first.offset + 1


async def test_transactions_commit_visible_abort_hidden(stack: StackEndpoints) -> None:
    topic = unique("txn")
    await create_topic(stack.kafka_bootstrap, topic, partitions=3)
    producer = AIOKafkaProducer(
        bootstrap_servers=stack.kafka_bootstrap, transactional_id=unique("txn-producer")
    )

    class AbortError(Exception):
        pass

    async with asyncio.timeout(TEST_TIMEOUT_S):
        await producer.start()
        try:
            async with producer.transaction():
                await producer.send_and_wait(topic, b"committed", key=b"k")
            with pytest.raises(AbortError):
                async with producer.transaction():
                    await producer.send_and_wait(topic, b"aborted", key=b"k")
                    raise AbortError
            async with producer.transaction():
                await producer.send_and_wait(topic, b"end", key=b"k")
        finally:
            await producer.stop()

        committed = await read_values(stack.kafka_bootstrap, topic, until=b"end")
        uncommitted = await read_values(
            stack.kafka_bootstrap, topic, until=b"end", isolation_level="read_uncommitted"
        )
    assert committed == [b"committed", b"end"]
    # The aborted record did reach the log; only read_committed hides it.
    assert uncommitted == [b"committed", b"aborted", b"end"]


async def test_consumer_group_offset_commit(stack: StackEndpoints) -> None:
    topic = unique("group")
    group = unique("group-id")
    await create_topic(stack.kafka_bootstrap, topic, partitions=1)
    tp = TopicPartition(topic, 0)
    async with asyncio.timeout(TEST_TIMEOUT_S):
        producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap)
        await producer.start()
        try:
            for i in range(3):
                await producer.send_and_wait(topic, f"m{i}".encode())
        finally:
            await producer.stop()

        member = AIOKafkaConsumer(
            topic,
            bootstrap_servers=stack.kafka_bootstrap,
            group_id=group,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        await member.start()
        try:
            seen: list[bytes] = []
            while len(seen) < 3:
                batches = await member.getmany(timeout_ms=500)
                seen += [m.value for msgs in batches.values() for m in msgs if m.value]
            await member.commit()
            assert await member.committed(tp) == 3
        finally:
            await member.stop()

        # A fresh client of the same group reads the commit back from the coordinator.
        reader = AIOKafkaConsumer(bootstrap_servers=stack.kafka_bootstrap, group_id=group)
        await reader.start()
        try:
            reader.assign([tp])
            assert await reader.committed(tp) == 3
        finally:
            await reader.stop()
    assert seen == [b"m0", b"m1", b"m2"]


# --------------------------------------------------------------------------- faust


@pytest.fixture
async def faust_worker(
    stack: StackEndpoints, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[dict[str, str]]:
    """A Faust worker subprocess counting per-key totals; yields its topic names."""
    guarantee: str = getattr(request, "param", "at_least_once")
    names = {
        "app_id": unique("faust"),
        "in_topic": unique("faust-in"),
        "out_topic": unique("faust-out"),
    }
    await create_topic(stack.kafka_bootstrap, names["in_topic"], partitions=6)
    await create_topic(stack.kafka_bootstrap, names["out_topic"], partitions=6)
    env = {
        **os.environ,
        "G60_PROBE_BROKER": stack.kafka_bootstrap,
        "G60_PROBE_APP_ID": names["app_id"],
        "G60_PROBE_IN_TOPIC": names["in_topic"],
        "G60_PROBE_OUT_TOPIC": names["out_topic"],
        "G60_PROBE_DATA_DIR": str(tmp_path / "faust-data"),
        "G60_PROBE_GUARANTEE": guarantee,
    }
    log_path = tmp_path / "faust-worker.log"
    with log_path.open("wb") as log:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, str(PROBE_APP), "worker", "-l", "info", "--without-web",
            env=env, cwd=tmp_path, stdin=asyncio.subprocess.DEVNULL,
            stdout=log, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
    names["log_path"] = str(log_path)
    try:
        yield names
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), FAUST_STOP_TIMEOUT_S)
            except TimeoutError:
                proc.kill()
                await proc.wait()


def log_tail(path: Path, limit_chars: int = 6000) -> str:
    return path.read_text(errors="replace")[-limit_chars:]


async def read_latest_json(bootstrap: str, topic: str, expected: dict[str, int]) -> None:
    """Consume committed records of `topic` until the newest value per key equals `expected`.

    read_committed makes the exactly_once run prove that Faust's transactions commit.
    """
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
        enable_auto_commit=False, isolation_level="read_committed",
    )  # fmt: skip
    latest: dict[str, int] = {}
    await consumer.start()
    try:
        while {k: latest.get(k) for k in expected} != expected:
            batches = await consumer.getmany(timeout_ms=500)
            for msg in (m for msgs in batches.values() for m in msgs):
                if msg.key is not None and msg.value is not None:
                    latest[json.loads(msg.key)] = json.loads(msg.value)
    finally:
        await consumer.stop()


@pytest.mark.parametrize("faust_worker", ["at_least_once", "exactly_once"], indirect=True)
async def test_faust_agent_counts_into_table(
    stack: StackEndpoints, faust_worker: dict[str, str]
) -> None:
    amounts = [("alice", 1), ("bob", 5), ("alice", 2), ("carol", 7), ("bob", 5), ("alice", 3)]
    expected = {"alice": 6, "bob": 10, "carol": 7}
    producer = AIOKafkaProducer(bootstrap_servers=stack.kafka_bootstrap, acks="all")
    await producer.start()
    try:
        for key, amount in amounts:
            await producer.send_and_wait(
                faust_worker["in_topic"], json.dumps(amount).encode(), key=json.dumps(key).encode()
            )
    finally:
        await producer.stop()

    try:
        async with asyncio.timeout(FAUST_TIMEOUT_S):
            await read_latest_json(stack.kafka_bootstrap, faust_worker["out_topic"], expected)
            changelog = f"{faust_worker['app_id']}-totals-changelog"
            await read_latest_json(stack.kafka_bootstrap, changelog, expected)
    except TimeoutError:
        tail = log_tail(Path(faust_worker["log_path"]))
        pytest.fail(f"faust worker produced no totals in {FAUST_TIMEOUT_S} s:\n{tail}")
