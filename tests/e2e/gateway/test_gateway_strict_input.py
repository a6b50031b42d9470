"""Inputs found by probing: each is refused with a 4xx problem naming the field, or
made harmless, and never a 500. Unicode digits in page tokens, correlation ids gRPC
metadata cannot carry, unknown totals dimensions, and JSON objects with a key twice
(a parser differential on money: the body is refused, not read last-value-wins)."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.test_gateway_limits import _assert_problem, _raw_post
from tests.e2e.gateway.world import World, ok, post, uscc
from tests.e2e.test_walking_skeleton import _written

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
        by_bank = ok(
            client.get("/v1/totals?dimension=bank", headers={"X-API-Key": world.operator_key}),
            200,
        )
    assert list(by_bank["by"]) == ["bank"]


@pytest.mark.parametrize("month", ["0000-01", "2026-13", "2026-1"])
def test_a_month_that_is_no_calendar_month_is_422_naming_it(world: World, month: str) -> None:
    with world.client() as client:
        _assert_problem(client.get(f"/v1/totals?month={month}"), 422, "month")


def test_a_repeated_json_key_is_refused_on_a_credit_line_and_nothing_is_written(
    world: World, gateway_platform: RunningPlatform
) -> None:
    before = _written(gateway_platform)
    content = (
        f'{{"enterprise_id": "{world.sme_a.id}", "valid_from": "2026-01-01", '
        f'"valid_to": "2027-12-31", "limit_fen": 1, "limit_fen": 999}}'
    )
    reply = _raw_post(world, "/v1/credit-lines", world.bank_a.key, content)
    _assert_problem(reply, 400, "limit_fen")
    assert _written(gateway_platform) == before


def test_a_repeated_json_key_is_refused_on_an_application_and_the_key_stays_usable(
    world: World,
) -> None:
    idem = str(uuid.uuid4())
    content = (
        f'{{"bank_id": "{world.bank_a.id}", "amount_fen": 1000000, "term_months": 12, '
        f'"purpose": "流动资金", "amount_fen": 900000000}}'
    )
    refused = _raw_post(
        world, "/v1/applications", world.sme_a.key, content.encode(), **{"Idempotency-Key": idem}
    )
    _assert_problem(refused, 400, "amount_fen")
    # Refused before anything ran: the same Idempotency-Key serves the corrected body.
    body = {
        "bank_id": world.bank_a.id,
        "amount_fen": 1_000_000,
        "term_months": 12,
        "purpose": "流动资金",
    }
    with world.client() as client:
        applied = ok(post(client, "/v1/applications", world.sme_a.key, body, idem))
    assert applied["amount_fen"] == 1_000_000


def test_the_office_registers_an_enterprise_with_its_contact(world: World) -> None:
    body = {
        "name": "嘉兴联系人测试企业",
        "uscc": uscc("330400"),
        "city": "330400",
        "industry": "INTEGRATED_CIRCUITS",
        "size_class": "SMALL",
        "contact": "李经理 0573-1234567",
    }
    with world.client() as client:
        registered = ok(post(client, "/v1/enterprises", world.operator_key, body))
    assert registered["contact"] == "李经理 0573-1234567"
