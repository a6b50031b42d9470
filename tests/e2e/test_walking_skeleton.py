"""Issue 2: a credit line goes from a partner bank's HTTP call to the alliance total,
on real PostgreSQL and Kafka, every hop real."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import asyncpg
import grpc
import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from g60common.kafka import TOPIC_CREDIT_EVENTS
from g60common.uscc import make_uscc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase,
)

from tests.e2e.conftest import RunningPlatform

pytestmark = pytest.mark.e2e

HEFEI, SUZHOU = "340100", "320500"
ONE_MILLION_YUAN_FEN = 100_000_000


def _uscc(division: str, serial: int) -> str:
    return make_uscc(f"91{division}MA{serial:07d}"[:17])


def _post(client: httpx.Client, path: str, key: str | None, body: Any) -> httpx.Response:
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    if key:
        headers["X-API-Key"] = key
    return client.post(path, json=body, headers=headers)


@pytest.fixture(scope="module")
def parties(fresh_platform: RunningPlatform) -> dict[str, str]:
    op = fresh_platform.operator_key
    with httpx.Client(base_url=fresh_platform.platform.gateway_url, timeout=10) as client:
        bank = _post(
            client,
            "/v1/members",
            op,
            {
                "name": "合肥科技农村商业银行",
                "short_name": "合肥科农行",
                "institution_type": "BANK",
                "home_city": HEFEI,
                "uscc": _uscc(HEFEI, 1),
            },
        )
        assert bank.status_code == 201, bank.text
        enterprise = _post(
            client,
            "/v1/enterprises",
            op,
            {
                "name": "苏州纳米新材料有限公司",
                "uscc": _uscc(SUZHOU, 2),
                "city": SUZHOU,
                "industry": "NEW_MATERIALS",
                "size_class": "SMALL",
            },
        )
        assert enterprise.status_code == 201, enterprise.text
        key = _post(
            client,
            "/v1/credentials",
            op,
            {
                "principal_type": "bank",
                "principal_id": bank.json()["member_id"],
            },
        )
        assert key.status_code == 201, key.text
    return {
        "bank_id": bank.json()["member_id"],
        "enterprise_id": enterprise.json()["enterprise_id"],
        "bank_key": key.json()["api_key"],
    }


def _line_body(enterprise_id: str, limit: Any) -> dict[str, Any]:
    return {
        "enterprise_id": enterprise_id,
        "limit_fen": limit,
        "product": "TECHNOLOGY_LOAN",
        "valid_from": "2026-11-01",
        "valid_to": "2027-10-31",
    }


def test_credit_line_reaches_alliance_totals(
    fresh_platform: RunningPlatform, parties: dict[str, str]
) -> None:
    gateway = fresh_platform.platform.gateway_url
    with httpx.Client(base_url=gateway, timeout=10) as client:
        reply = _post(
            client,
            "/v1/credit-lines",
            parties["bank_key"],
            _line_body(parties["enterprise_id"], ONE_MILLION_YUAN_FEN),
        )
        assert reply.status_code == 201, reply.text
        assert reply.json()["limit_fen"] == ONE_MILLION_YUAN_FEN
        totals = _poll_totals(client, lambda t: t["alliance"]["credit_granted_fen"] > 0)
    assert totals["alliance"]["credit_granted_fen"] == ONE_MILLION_YUAN_FEN
    assert totals["alliance"]["credit_granted_yuan"] == "1000000.00"
    assert totals["alliance"]["banks_with_activity"] == 1
    # One bank: its city cells would be its book, so the public sees them withheld.
    for dimension, city in (("enterprise_city", SUZHOU), ("bank_city", HEFEI)):
        assert totals["by"][dimension][city]["withheld"] is True, totals["by"][dimension]
    with httpx.Client(base_url=gateway, timeout=10) as client:
        office = _poll_totals(client, lambda t: True, key=fresh_platform.operator_key)
    assert office["by"]["enterprise_city"][SUZHOU]["credit_granted_fen"] == ONE_MILLION_YUAN_FEN
    assert office["by"]["bank_city"][HEFEI]["credit_granted_fen"] == ONE_MILLION_YUAN_FEN
    assert office["by"]["bank_city"][HEFEI]["banks_with_activity"] == 1


def _poll_totals(
    client: httpx.Client, done: Any, timeout_s: float = 30.0, key: str | None = None
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    headers = {"X-API-Key": key} if key else {}
    while time.monotonic() < deadline:
        reply = client.get("/v1/totals", headers=headers)
        if reply.status_code == 200 and done(reply.json()):
            return dict(reply.json())
        time.sleep(0.2)
    raise AssertionError(f"totals did not update in {timeout_s} s: {reply.text}")


def test_every_process_serves_metrics_and_health(fresh_platform: RunningPlatform) -> None:
    platform = fresh_platform.platform
    for name, url in platform.metrics_urls().items():
        reply = httpx.get(url, timeout=5)
        assert reply.status_code == 200, name
        assert "# TYPE" in reply.text, name
    for target in (platform.members_target, platform.credit_target):
        with grpc.insecure_channel(target) as channel:
            status = (
                health_pb2_grpc.HealthStub(channel)
                .Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
                .status
            )
        assert status == health_pb2.HealthCheckResponse.SERVING


def test_grpc_servers_have_reflection(fresh_platform: RunningPlatform) -> None:
    platform = fresh_platform.platform
    expected = {
        platform.members_target: "g60.members.v1.MembersService",
        platform.credit_target: "g60.credit.v1.CreditService",
    }
    for target, service in expected.items():
        with grpc.insecure_channel(target) as channel:
            listed = ProtoReflectionDescriptorDatabase(channel).get_services()
        assert service in listed
        assert "grpc.health.v1.Health" in listed


def test_openapi_spec_is_served(fresh_platform: RunningPlatform) -> None:
    spec = httpx.get(f"{fresh_platform.platform.gateway_url}/openapi.json", timeout=5).json()
    assert spec["openapi"].startswith("3.1")
    assert "/v1/credit-lines" in spec["paths"] and "/v1/totals" in spec["paths"]


BAD_INPUTS = [
    ("negative amount", -100, "limit_fen", True),
    ("float amount", 12.5, "limit_fen", True),
    ("float with zero fraction", 100.0, "limit_fen", True),
    ("amount above int64", 2**63, "limit_fen", True),
    ("missing API key", 100, None, False),
]


@pytest.mark.parametrize(
    ("case", "limit", "field", "with_key"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_is_refused_and_writes_nothing(
    fresh_platform: RunningPlatform,
    parties: dict[str, str],
    case: str,
    limit: Any,
    field: str | None,
    with_key: bool,
) -> None:
    before = _written(fresh_platform)
    key = parties["bank_key"] if with_key else None
    with httpx.Client(base_url=fresh_platform.platform.gateway_url, timeout=10) as client:
        reply = _post(client, "/v1/credit-lines", key, _line_body(parties["enterprise_id"], limit))
    _assert_problem(reply, field, 401 if not with_key else 422)
    assert _written(fresh_platform) == before


def test_unknown_enterprise_is_refused_and_writes_nothing(
    fresh_platform: RunningPlatform, parties: dict[str, str]
) -> None:
    before = _written(fresh_platform)
    with httpx.Client(base_url=fresh_platform.platform.gateway_url, timeout=10) as client:
        reply = _post(
            client, "/v1/credit-lines", parties["bank_key"], _line_body(str(uuid.uuid4()), 100)
        )
    _assert_problem(reply, "enterprise_id", 422)
    assert _written(fresh_platform) == before


def _assert_problem(reply: httpx.Response, field: str | None, status: int) -> None:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    body = reply.json()
    assert body["status"] == status
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body


def _written(running: RunningPlatform) -> tuple[int, int, int]:
    """Rows in the credit database and records on the credit topic."""
    return asyncio.run(
        _count_writes(running.platform.env["G60_CREDIT_PG_DSN"], running.stack.kafka_bootstrap)
    )


async def _count_writes(dsn: str, bootstrap: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(dsn)
    try:
        lines = await conn.fetchval("SELECT count(*) FROM credit_lines")
        outbox = await conn.fetchval("SELECT count(*) FROM outbox")
    finally:
        await conn.close()
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partitions = [
            TopicPartition(TOPIC_CREDIT_EVENTS, p)
            for p in consumer.partitions_for_topic(TOPIC_CREDIT_EVENTS) or ()
        ]
        ends = await consumer.end_offsets(partitions) if partitions else {}
        # Let aiokafka's background committed-offset task start; stopping it before
        # it ever ran raises CancelledError out of stop().
        await asyncio.sleep(0.05)
    finally:
        await consumer.stop()
    return int(lines), int(outbox), sum(ends.values())
