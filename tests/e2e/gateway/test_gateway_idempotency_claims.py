"""The Idempotency-Key is claimed in the same statement that authenticates a POST.
A request refused after that (bad body, wrong caller type, rate limit) must leave no
claim behind, and a failed authentication must write nothing at all."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.world import World, ok, post

pytestmark = pytest.mark.e2e


def _line(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "enterprise_id": world.sme_a.id,
        "limit_fen": 1_000_000,
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
    }
    return {**body, **overrides}


def _claims(platform: RunningPlatform, idem_key: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(platform.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            found = await conn.fetchval(
                "SELECT count(*) FROM http_idempotency WHERE idem_key = $1", idem_key
            )
            return int(found)
        finally:
            await conn.close()

    return asyncio.run(count())


def test_a_refused_body_releases_the_claim_for_a_corrected_retry(
    world: World, gateway_platform: RunningPlatform
) -> None:
    key = str(uuid.uuid4())
    with world.client() as client:
        bad = post(client, "/v1/credit-lines", world.bank_a.key, _line(world, limit_fen=0), key)
        assert bad.status_code == 422, bad.text
        assert _claims(gateway_platform, key) == 0
        fixed = post(client, "/v1/credit-lines", world.bank_a.key, _line(world), key)
    ok(fixed)


def test_a_refused_caller_type_leaves_no_claim(
    world: World, gateway_platform: RunningPlatform
) -> None:
    key = str(uuid.uuid4())
    with world.client() as client:
        refused = post(client, "/v1/credit-lines", world.sme_a.key, _line(world), key)
    assert refused.status_code == 403, refused.text
    assert _claims(gateway_platform, key) == 0


def test_a_wrong_secret_writes_nothing(world: World, gateway_platform: RunningPlatform) -> None:
    key = str(uuid.uuid4())
    wrong = world.bank_a.key[:-4] + ("AAAA" if not world.bank_a.key.endswith("AAAA") else "BBBB")
    with world.client() as client:
        refused = post(client, "/v1/credit-lines", wrong, _line(world), key)
    assert refused.status_code == 401, refused.text
    assert _claims(gateway_platform, key) == 0


def test_key_order_and_spacing_do_not_make_another_body(world: World) -> None:
    key = str(uuid.uuid4())
    body = _line(world)
    reordered = dict(reversed(list(body.items())))
    with world.client() as client:
        first = post(client, "/v1/credit-lines", world.bank_a.key, body, key)
        again = post(client, "/v1/credit-lines", world.bank_a.key, reordered, key)
    assert again.status_code == first.status_code == 201
    assert again.content == first.content
    assert again.headers.get("idempotent-replayed") == "true"
