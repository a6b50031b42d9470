"""The request-id records' retention on a real PostgreSQL (g60common.idempotency_purge).

The contract: a retry is safe within the retention, since it gets the stored answer;
once its record is purged, the same request id is a new request. Records are written
through the unit of work the credit and members handlers use.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from g60common.config import IdempotencySettings, PostgresSettings
from g60common.db import apply_schema, create_pool, dsn_for_database, ensure_database
from g60common.idempotency import SCHEMA_SQL, IdempotencyConflict
from g60common.idempotency_purge import purge_expired
from g60common.stack import StackEndpoints
from g60common.uow import PgUnitOfWork
from prometheus_client import REGISTRY

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

RETENTION_S = 30 * 24 * 3600.0
SETTINGS = IdempotencySettings(retention_s=RETENTION_S, purge_interval_s=3600.0, purge_batch_size=2)
GUARD_S = 10.0


@pytest.fixture
async def pool(stack: StackEndpoints) -> AsyncIterator[asyncpg.Pool]:
    name = f"idempurge_{uuid.uuid4().hex[:8]}"
    async with asyncio.timeout(GUARD_S):
        await ensure_database(stack.pg_dsn, name)
        settings = PostgresSettings(dsn_for_database(stack.pg_dsn, name), 1, 3, GUARD_S)
        created = await create_pool(settings)
        await apply_schema(created, SCHEMA_SQL)
    try:
        yield created
    finally:
        async with asyncio.timeout(GUARD_S):
            await created.close()


async def _request(pool: asyncpg.Pool, request_id: str, body: bytes) -> bytes | None:
    """One write through the unit of work: the stored answer of an earlier identical
    request, or None after storing `b"answer:" + body` as this request's."""
    async with asyncio.timeout(GUARD_S), PgUnitOfWork(pool) as uow:
        stored = await uow.claim_request("bank:B1", request_id, body)
        if stored is None:
            await uow.record_response("bank:B1", request_id, b"answer:" + body)
            await uow.commit()
        return stored


async def _age(pool: asyncpg.Pool, request_ids: list[str], age_s: float) -> None:
    await pool.execute(
        """UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $2)
           WHERE request_id = ANY($1::text[])""",
        request_ids,
        age_s,
    )


async def test_only_records_past_the_retention_are_purged_in_batches(pool: asyncpg.Pool) -> None:
    old = [f"old-{n}" for n in range(7)]
    young = [f"young-{n}" for n in range(3)]
    for request_id in old + young:
        assert await _request(pool, request_id, request_id.encode()) is None
    await _age(pool, old, RETENTION_S + 60)
    await _age(pool, young[:1], RETENTION_S - 60)  # just inside the retention
    before = _purged() or 0.0

    # Batches of 2: three full ones and a short one, all in one call.
    assert await purge_expired(pool, "test", SETTINGS) == 7

    left = await pool.fetch("SELECT request_id FROM idempotency_keys")
    assert sorted(r["request_id"] for r in left) == young
    assert _purged() == before + 7
    assert await purge_expired(pool, "test", SETTINGS) == 0


async def test_retries_are_safe_within_the_retention_and_new_after_it(pool: asyncpg.Pool) -> None:
    for request_id in ("kept", "purged"):
        assert await _request(pool, request_id, b"body") is None
    await _age(pool, ["purged"], RETENTION_S + 60)
    await purge_expired(pool, "test", SETTINGS)

    assert await _request(pool, "kept", b"body") == b"answer:body"
    with pytest.raises(IdempotencyConflict):
        await _request(pool, "kept", b"other body")
    # Forgotten: the id runs again as a new request, whatever its body.
    assert await _request(pool, "purged", b"other body") is None
    assert await _request(pool, "purged", b"other body") == b"answer:other body"


async def test_the_purge_has_a_btree_index_on_created_at(pool: asyncpg.Pool) -> None:
    definition = await pool.fetchval(
        "SELECT indexdef FROM pg_indexes WHERE tablename = 'idempotency_keys' "
        "AND indexname = 'idempotency_keys_created_at'"
    )
    assert definition is not None and "USING btree (created_at)" in definition


def _purged() -> float | None:
    return REGISTRY.get_sample_value("g60_idempotency_records_purged_total", {"service": "test"})
