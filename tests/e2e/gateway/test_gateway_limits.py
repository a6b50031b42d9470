"""Bad inputs each get a 4xx naming the field and write nothing; keys, rate limits,
body limits, strict JSON and Idempotency-Key replay behave as documented."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import asyncpg
import httpx
import pytest
from g60_gateway.adapters import idempotency
from g60_gateway.entrypoints.idempotent import withdrawn_answer_body

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.world import World, ok, post
from tests.e2e.test_walking_skeleton import _written

pytestmark = pytest.mark.e2e


def _line(world: World, **overrides: Any) -> dict[str, Any]:
    body = {
        "enterprise_id": world.sme_a.id,
        "limit_fen": 1_000_000,
        "valid_from": "2026-01-01",
        "valid_to": "2027-12-31",
    }
    return {**body, **overrides}


def _raw_post(
    world: World, path: str, key: str | None, content: Any, **headers: str
) -> httpx.Response:
    sent = {"Idempotency-Key": str(uuid.uuid4()), "content-type": "application/json", **headers}
    if key:
        sent["X-API-Key"] = key
    with world.client() as client:
        return client.post(path, content=content, headers=sent)


def _assert_problem(
    reply: httpx.Response, status: int | tuple[int, ...], field: str | None
) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert reply.status_code in statuses, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json"), reply.headers
    if field is not None:
        assert field in [e["field"] for e in reply.json().get("errors", [])], reply.text


BAD_BODIES = [
    ("zero", '"limit_fen": 0', "limit_fen"),
    ("minus one", '"limit_fen": -1', "limit_fen"),
    ("2^63", f'"limit_fen": {2**63}', "limit_fen"),
    ("exponent", '"limit_fen": 1e3', "limit_fen"),
    ("fraction", '"limit_fen": 12.5', "limit_fen"),
    ("exponent string", '"limit_fen": "1e3"', "limit_fen"),
    ("non-CNY", '"limit_fen": 100, "currency": "USD"', "currency"),
    ("unknown field", '"limit_fen": 100, "limit_yuan": 1', "limit_yuan"),
    ("long string", f'"limit_fen": 100, "product": "{"X" * 500}"', "product"),
]


@pytest.mark.parametrize(("case", "fragment", "field"), BAD_BODIES, ids=[c[0] for c in BAD_BODIES])
def test_bad_amounts_and_fields_are_refused(
    world: World, gateway_platform: RunningPlatform, case: str, fragment: str, field: str
) -> None:
    before = _written(gateway_platform)
    content = (
        f'{{"enterprise_id": "{world.sme_a.id}", "valid_from": "2026-01-01", '
        f'"valid_to": "2027-12-31", {fragment}}}'
    )
    reply = _raw_post(world, "/v1/credit-lines", world.bank_a.key, content)
    _assert_problem(reply, 422, field)
    assert _written(gateway_platform) == before


def test_ten_megabyte_body_is_413(world: World, gateway_platform: RunningPlatform) -> None:
    before = _written(gateway_platform)
    big = json.dumps(_line(world, product="X" * (10 * 1024 * 1024)))
    _assert_problem(_raw_post(world, "/v1/credit-lines", world.bank_a.key, big), 413, "body")
    assert _written(gateway_platform) == before


def test_chunked_body_without_length_is_bounded(world: World) -> None:
    def chunks() -> Any:
        for _ in range(200):
            yield b" " * 65536  # 12.5 MB of whitespace, no Content-Length

    reply = _raw_post(world, "/v1/credit-lines", world.bank_a.key, chunks())
    _assert_problem(reply, 413, "body")


def test_small_chunked_body_still_works(world: World) -> None:
    def chunks() -> Any:
        yield json.dumps(_line(world)).encode()

    reply = _raw_post(world, "/v1/credit-lines", world.bank_a.key, chunks())
    assert reply.status_code == 201, reply.text


def test_deeply_nested_json_is_a_4xx(world: World, gateway_platform: RunningPlatform) -> None:
    before = _written(gateway_platform)
    nested = "[" * 30_000 + "]" * 30_000
    reply = _raw_post(world, "/v1/credit-lines", world.bank_a.key, nested)
    _assert_problem(reply, (400, 422), "body")
    assert _written(gateway_platform) == before


def test_page_size_is_bounded(world: World) -> None:
    with world.client() as client:
        reply = client.get(
            "/v1/credit-lines?page_size=100000", headers={"X-API-Key": world.bank_a.key}
        )
    _assert_problem(reply, 422, "page_size")


@pytest.mark.parametrize(
    "key",
    [None, "nonsense", "g60_0123456789abcdef_wrongsecret", "g60_" + "a" * 500],
    ids=["missing", "malformed", "wrong secret", "oversized"],
)
def test_bad_keys_are_401(world: World, gateway_platform: RunningPlatform, key: str | None) -> None:
    before = _written(gateway_platform)
    with world.client() as client:
        reply = post(client, "/v1/credit-lines", key, _line(world))
    _assert_problem(reply, 401, None)
    assert _written(gateway_platform) == before


def test_revocation_is_immediate(world: World) -> None:
    with world.client() as client:
        issued = ok(
            post(
                client,
                "/v1/credentials",
                world.operator_key,
                {
                    "principal_type": "bank",
                    "principal_id": world.bank_a.id,
                },
            )
        )
        headers = {"X-API-Key": issued["api_key"]}
        assert client.get("/v1/me", headers=headers).status_code == 200
        revoked = client.delete(
            f"/v1/credentials/{issued['key_id']}", headers={"X-API-Key": world.operator_key}
        )
        assert revoked.status_code == 204
        _assert_problem(client.get("/v1/me", headers=headers), 401, None)


def test_rate_limit_is_429_with_retry_after(world: World) -> None:
    with world.client() as client:
        issued = ok(
            post(
                client,
                "/v1/credentials",
                world.operator_key,
                {
                    "principal_type": "enterprise",
                    "principal_id": world.sme_b.id,
                    "scopes": ["rate_per_s=1"],
                },
            )
        )
        headers = {"X-API-Key": issued["api_key"]}
        statuses = [client.get("/v1/me", headers=headers) for _ in range(130)]
    limited = [r for r in statuses if r.status_code == 429]
    assert limited, [r.status_code for r in statuses]
    assert int(limited[0].headers["retry-after"]) >= 1
    assert limited[0].headers["content-type"].startswith("application/problem+json")


def test_idempotency_key_replays_the_stored_response(world: World) -> None:
    key = str(uuid.uuid4())
    with world.client() as client:
        first = post(client, "/v1/credit-lines", world.bank_a.key, _line(world), key)
        again = post(client, "/v1/credit-lines", world.bank_a.key, _line(world), key)
        other = post(client, "/v1/credit-lines", world.bank_a.key, _line(world, limit_fen=7), key)
    assert first.status_code == 201 and again.status_code == 201
    assert again.content == first.content
    assert again.headers.get("idempotent-replayed") == "true"
    _assert_problem(other, 422, "Idempotency-Key")


def test_concurrent_identical_posts_create_one_line(world: World) -> None:
    key = str(uuid.uuid4())
    body = _line(world, limit_fen=4_242_424)

    def send(_: int) -> httpx.Response:
        with world.client() as client:
            return post(client, "/v1/credit-lines", world.bank_a.key, body, key)

    with ThreadPoolExecutor(8) as pool:
        replies = list(pool.map(send, range(8)))
    assert {r.status_code for r in replies} == {201}, [r.text for r in replies]
    assert len({r.json()["credit_line_id"] for r in replies}) == 1
    with world.client() as client:
        lines = client.get(
            f"/v1/credit-lines?enterprise_id={world.sme_a.id}&page_size=200",
            headers={"X-API-Key": world.bank_a.key},
        ).json()["credit_lines"]
    assert len([line for line in lines if line["limit_fen"] == 4_242_424]) == 1


def test_correlation_id_is_returned(world: World) -> None:
    with world.client() as client:
        reply = client.get(
            "/v1/me", headers={"X-API-Key": world.bank_a.key, "x-correlation-id": "corr-123"}
        )
    assert reply.headers["x-correlation-id"] == "corr-123"


def _cli(running: RunningPlatform, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "g60_gateway.credentials_cli", *args],
        env=running.platform.env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_credentials_cli_issues_rotates_and_revokes(
    world: World, gateway_platform: RunningPlatform
) -> None:
    issued = _cli(gateway_platform, "issue", "--type", "bank", "--principal", world.bank_b.id)
    assert issued.returncode == 0, issued.stderr
    old_key = issued.stdout.strip()
    old_id = old_key.split("_")[1]
    rotated = _cli(gateway_platform, "rotate", "--key-id", old_id)
    assert rotated.returncode == 0, rotated.stderr
    new_key = rotated.stdout.strip()
    with world.client() as client:
        assert client.get("/v1/me", headers={"X-API-Key": old_key}).status_code == 401
        me = client.get("/v1/me", headers={"X-API-Key": new_key}).json()
        assert me["principal_id"] == world.bank_b.id and me["principal_type"] == "bank"
        revoked = _cli(gateway_platform, "revoke", "--key-id", new_key.split("_")[1])
        assert revoked.returncode == 0, revoked.stderr
        assert client.get("/v1/me", headers={"X-API-Key": new_key}).status_code == 401
    again = _cli(gateway_platform, "revoke", "--key-id", new_key.split("_")[1])
    assert again.returncode == 1


def test_expired_idempotency_records_are_purged(
    world: World, gateway_platform: RunningPlatform
) -> None:
    key = str(uuid.uuid4())
    with world.client() as client:
        ok(post(client, "/v1/credit-lines", world.bank_a.key, _line(world), key))

    async def purge() -> int:
        pool = await asyncpg.create_pool(gateway_platform.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            return await idempotency.purge_older_than(pool, retention_s=0.0, batch=100_000)
        finally:
            await pool.close()

    assert asyncio.run(purge()) >= 1
    with world.client() as client:
        # The key is forgotten at the gateway; the credit service still remembers its
        # request id, so reusing it for another body is refused there, naming the key.
        other = post(client, "/v1/credit-lines", world.bank_a.key, _line(world, limit_fen=9), key)
    _assert_problem(other, 422, "Idempotency-Key")


def test_an_issued_keys_answer_is_replayable_for_an_hour_then_withdrawn(
    world: World, gateway_platform: RunningPlatform
) -> None:
    """The API key is stored hashed; the replayable answer is its only clear copy, so
    it is replaced after G60_GATEWAY_SECRET_REPLAY_S (an hour) by a 410 problem."""
    key = str(uuid.uuid4())
    body = {"principal_type": "bank", "principal_id": world.bank_b.id}
    with world.client() as client:
        first = ok(post(client, "/v1/credentials", world.operator_key, body, key))
        again = post(client, "/v1/credentials", world.operator_key, body, key)
        assert again.json() == first and again.headers.get("idempotent-replayed") == "true"

    async def age_and_scrub() -> tuple[int, bytes]:
        conn = await asyncpg.connect(gateway_platform.platform.env["G60_GATEWAY_PG_DSN"])
        pool = await asyncpg.create_pool(gateway_platform.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            await conn.execute(
                "UPDATE http_idempotency SET claimed_at = now() - interval '2 hours' "
                "WHERE idem_key = $1",
                key,
            )
            scrubbed = await idempotency.scrub_secrets(
                pool, 3600.0, 410, withdrawn_answer_body(3600.0)
            )
            stored = await conn.fetchval(
                "SELECT body FROM http_idempotency WHERE idem_key = $1", key
            )
            return scrubbed, bytes(stored)
        finally:
            await pool.close()
            await conn.close()

    scrubbed, stored = asyncio.run(age_and_scrub())
    assert scrubbed >= 1
    assert first["api_key"].encode() not in stored
    with world.client() as client:
        withdrawn = post(client, "/v1/credentials", world.operator_key, body, key)
        _assert_problem(withdrawn, 410, None)
        assert "api_key" not in withdrawn.json() and "60 minutes" in withdrawn.json()["detail"]
        assert withdrawn.headers.get("idempotent-replayed") == "true"
        # Still a finished request: another body under the key is refused, and the
        # issued key keeps working.
        other = post(
            client,
            "/v1/credentials",
            world.operator_key,
            {**body, "principal_id": world.bank_a.id},
            key,
        )
        _assert_problem(other, 422, "Idempotency-Key")
        me = client.get("/v1/me", headers={"X-API-Key": first["api_key"]})
        assert me.status_code == 200 and me.json()["principal_id"] == world.bank_b.id
