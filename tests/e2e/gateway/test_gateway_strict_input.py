"""Inputs found by probing: each is refused with a 4xx problem naming the field, or
made harmless, and never a 500. Unicode digits in page tokens, correlation ids gRPC
metadata cannot carry, and unknown totals dimensions."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.gateway.test_gateway_limits import _assert_problem
from tests.e2e.gateway.world import World, ok

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("token", ["%C2%B2", "%D9%A1", str(2**63), "-1"])
def test_a_delivery_page_token_must_be_ascii_digits_within_int64(world: World, token: str) -> None:
    with world.client() as client:
        reply = client.get(
            f"/v1/webhooks/{world.hook_a}/deliveries?page_token={token}",
            headers={"X-API-Key": world.bank_a.key},
        )
    _assert_problem(reply, 422, "page_token")


def test_the_last_int64_delivery_page_token_is_an_empty_page(world: World) -> None:
    with world.client() as client:
        reply = client.get(
            f"/v1/webhooks/{world.hook_a}/deliveries?page_token={2**63 - 1}",
            headers={"X-API-Key": world.bank_a.key},
        )
    assert ok(reply, 200) == {"deliveries": [], "next_page_token": ""}


@pytest.mark.parametrize(
    "offered", [b"caf\xc3\xa9", b"x" * 129], ids=["non-ASCII", "over 128 characters"]
)
def test_a_correlation_id_grpc_cannot_carry_is_replaced_by_a_fresh_one(
    world: World, offered: bytes
) -> None:
    """The id travels in gRPC metadata, which must be printable ASCII: kept as sent,
    every route calling a service failed with a 500."""
    headers = {b"X-API-Key": world.bank_a.key.encode(), b"x-correlation-id": offered}
    body = {
        "enterprise_id": world.sme_a.id,
        "limit_fen": 1_000_000,
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
    }
    with world.client() as client:
        read = client.get(f"/v1/credit-lines/{world.line_a}", headers=headers)
        wrote = client.post(
            "/v1/credit-lines",
            json=body,
            headers={**headers, b"Idempotency-Key": str(uuid.uuid4()).encode()},
        )
    for reply, status in ((read, 200), (wrote, 201)):
        assert reply.status_code == status, reply.text
        fresh = reply.headers["x-correlation-id"]
        assert str(uuid.UUID(fresh)) == fresh


def test_an_unknown_totals_dimension_is_422_naming_it(world: World) -> None:
    with world.client() as client:
        _assert_problem(client.get("/v1/totals?dimension=x"), 422, "dimension")
        by_bank = ok(client.get("/v1/totals?dimension=bank"), 200)
    assert list(by_bank["by"]) == ["bank"]
