"""The whole gateway on a real PostgreSQL whose gateway database stops taking
connections (`ALLOW_CONNECTIONS false`, every session terminated): authenticated
requests and Idempotency-Key claims are 503 problem+json with Retry-After within the
request pool's deadline, and the same requests succeed once the database is back."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from g60_gateway.adapters.credentials import issue_key
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.principals import PrincipalType
from g60_gateway.entrypoints.app import create_app
from g60common.db import dsn_for_database, ensure_database
from g60common.stack import StackEndpoints

pytestmark = pytest.mark.integration
DATABASE = "g60_gateway_outage_test"
DEADLINE_S = 2.0


@pytest_asyncio.fixture(loop_scope="session")
async def gateway(stack: StackEndpoints) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    await ensure_database(stack.pg_dsn, DATABASE)
    settings = GatewaySettings.from_env(
        {
            "G60_GATEWAY_PG_DSN": dsn_for_database(stack.pg_dsn, DATABASE),
            "G60_GATEWAY_PG_TRANSACTION_TIMEOUT_S": str(DEADLINE_S),
            "G60_GATEWAY_PG_POOL_MIN": "1",
            "G60_GATEWAY_WEBHOOKS": "off",
        }
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield app, client


async def _operator_key(app: Any) -> str:
    async with app.state.pool.acquire() as conn:
        issued = await issue_key(conn, PrincipalType.OPERATOR, "alliance-office", [])
    return str(issued.api_key)


async def _close_database(admin_dsn: str, allow: bool) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"ALTER DATABASE {DATABASE} ALLOW_CONNECTIONS {str(allow).lower()}")
        if not allow:
            await conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = $1 AND pid <> pg_backend_pid()",
                DATABASE,
            )
    finally:
        await conn.close()


def _issue(client: httpx.AsyncClient, api_key: str, idem_key: str) -> Any:
    return client.post(
        "/v1/credentials",
        json={"principal_type": "operator", "principal_id": "night-shift", "scopes": []},
        headers={"x-api-key": api_key, "idempotency-key": idem_key},
    )


def _assert_503(reply: httpx.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["retry-after"] == "1"
    assert reply.headers["x-correlation-id"] in reply.json()["detail"]


async def test_a_database_closed_to_connections_is_503_then_back_to_work(
    gateway: tuple[Any, httpx.AsyncClient], stack: StackEndpoints
) -> None:
    app, client = gateway
    api_key, idem_key = await _operator_key(app), str(uuid.uuid4())
    assert (await client.get("/v1/me", headers={"x-api-key": api_key})).status_code == 200
    await _close_database(stack.pg_dsn, allow=False)
    try:
        started = time.monotonic()
        _assert_503(await client.get("/v1/me", headers={"x-api-key": api_key}))
        _assert_503(await client.get("/v1/me", headers={"x-api-key": api_key}))
        _assert_503(await _issue(client, api_key, idem_key))
        assert time.monotonic() - started < 3 * DEADLINE_S
    finally:
        await _close_database(stack.pg_dsn, allow=True)
    assert (await client.get("/v1/me", headers={"x-api-key": api_key})).status_code == 200
    # The refused claim wrote nothing: the same Idempotency-Key runs now.
    issued = await _issue(client, api_key, idem_key)
    assert issued.status_code == 201, issued.text


async def test_background_work_has_its_own_small_pool(
    gateway: tuple[Any, httpx.AsyncClient],
) -> None:
    app, _ = gateway
    assert app.state.background_pool.get_max_size() == 5
    assert app.state.webhooks._pool is app.state.background_pool
