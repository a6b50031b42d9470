"""Producing envelopes to the credit topic and reading the aggregator's answers."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import httpx
from aiokafka import AIOKafkaProducer
from g60.events.v1 import envelope_pb2
from g60_aggregator.adapters.decoding import to_fact
from g60_aggregator.domain.fold import TotalsFold
from g60_aggregator.entrypoints.serialize import totals_document
from g60common.config import KafkaSettings
from g60common.kafka import EVENT_TOPICS, TOPIC_CREDIT_EVENTS, ensure_topics, producer_settings

SEND_BATCH = 2_000


async def produce(bootstrap: str, envelopes: Iterable[envelope_pb2.EventEnvelope]) -> int:
    kafka = KafkaSettings(bootstrap=bootstrap, request_timeout_ms=30_000)
    await ensure_topics(kafka, EVENT_TOPICS)
    producer = AIOKafkaProducer(**producer_settings(kafka))
    await producer.start()
    sent = 0
    try:
        pending = []
        for e in envelopes:
            pending.append(
                await producer.send(
                    TOPIC_CREDIT_EVENTS, e.SerializeToString(), key=e.aggregate_id.encode()
                )
            )
            sent += 1
            if len(pending) >= SEND_BATCH:
                for fut in pending:
                    await fut
                pending = []
        for fut in pending:
            await fut
    finally:
        await producer.stop()
    return sent


def expected_document(history: Iterable[envelope_pb2.EventEnvelope]) -> dict[str, Any]:
    """The oracle: the history folded in one place, in order."""
    fold = TotalsFold()
    for e in history:
        fold.apply(e.aggregate_id, e.aggregate_version, to_fact(e))
    return normalise(totals_document(fold.sums(), None))


def _is_empty(measures: dict[str, Any]) -> bool:
    return all(v in (0, None, "0.00") for v in measures.values())


def normalise(document: dict[str, Any]) -> dict[str, Any]:
    """Drops dimension values with nothing in them (moved-away contributions leave
    explicit zeros in the stream; the oracle never creates them)."""
    return {
        "alliance": document["alliance"],
        "by": {
            dim: {k: v for k, v in values.items() if not _is_empty(v)}
            for dim, values in document["by"].items()
        },
    }


def poll_totals(url: str, expected: dict[str, Any], timeout_s: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    got: dict[str, Any] = {}
    while time.monotonic() < deadline:
        try:
            got = normalise(httpx.get(f"{url}/v1/totals", timeout=5).json())
        except httpx.HTTPError:
            got = {}
        if got == expected:
            return got
        time.sleep(0.5)
    assert got.get("alliance") == expected["alliance"], "alliance totals differ"
    assert got == expected, "totals by dimension differ"
    return got


def metric(url: str, name: str) -> float:
    """The value of an unlabelled counter or gauge on the worker's /metrics page."""
    for line in httpx.get(f"{url}/metrics", timeout=5).text.splitlines():
        if line.startswith(f"{name} ") or line.startswith(f"{name}_total "):
            return float(line.split()[-1])
    return 0.0


def metrics_page(url: str) -> str:
    return httpx.get(f"{url}/metrics", timeout=5).text
