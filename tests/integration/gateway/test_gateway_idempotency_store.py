"""The gateway's Idempotency-Key store on a real PostgreSQL: responses written in
batches off the request path, and what a retry sees before and after they land."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from g60_gateway.adapters import idempotency
from g60_gateway.adapters.credentials import SCHEMA_SQL
from g60common.db import apply_schema, dsn_for_database, ensure_database
from g60common.stack import StackEndpoints

pytestmark = pytest.mark.integration
DATABASE = "g60_gateway_idempotency_test"


@pytest_asyncio.fixture(loop_scope="session")
async def pool(stack: StackEndpoints) -> AsyncIterator[asyncpg.Pool]:
    await ensure_database(stack.pg_dsn, DATABASE)
    dsn = dsn_for_database(stack.pg_dsn, DATABASE)
    created = await asyncpg.create_pool(dsn, min_size=1, max_size=4)
    assert created is not None
    await apply_schema(created, SCHEMA_SQL)
    try:
        yield created
    finally:
        await created.close()


async def _claim(pool: asyncpg.Pool, key_id: str, key: str, wait_s: float = 0.0) -> object:
    return await idempotency.claim(pool, key_id, key, b"print", wait_s, lease_s=30.0)


async def test_many_responses_land_in_one_flush(pool: asyncpg.Pool) -> None:
    key_id, keys = uuid.uuid4().hex, [str(uuid.uuid4()) for _ in range(50)]
    for key in keys:
        assert await _claim(pool, key_id, key) is None
    writer = idempotency.ResponseWriter(pool)
    for n, key in enumerate(keys):
        writer.store(key_id, key, 201, f'{{"n": {n}}}'.encode())
    await writer.flush()
    rows = await pool.fetch(
        "SELECT idem_key, status, body FROM http_idempotency WHERE key_id = $1", key_id
    )
    stored = {r["idem_key"]: (r["status"], bytes(r["body"])) for r in rows}
    assert stored == {key: (201, f'{{"n": {n}}}'.encode()) for n, key in enumerate(keys)}


async def test_a_retry_before_the_write_lands_waits_for_it(pool: asyncpg.Pool) -> None:
    key_id, key = uuid.uuid4().hex, str(uuid.uuid4())
    assert await _claim(pool, key_id, key) is None
    writer = idempotency.ResponseWriter(pool)
    runner = asyncio.create_task(writer.run())
    try:
        retry = asyncio.create_task(_claim(pool, key_id, key, wait_s=5.0))
        await asyncio.sleep(0.2)  # the retry is polling an in-flight claim
        assert not retry.done()
        writer.store(key_id, key, 201, b'{"ok": true}')
        assert await asyncio.wait_for(retry, 5.0) == idempotency.Stored(201, b'{"ok": true}')
    finally:
        runner.cancel()


async def test_an_unwritten_response_leaves_the_claim_for_a_lease_takeover(
    pool: asyncpg.Pool,
) -> None:
    """A gateway that dies before its batch lands is like one that died before a
    synchronous store: the claim stays in flight, and after its lease a retry runs
    again (downstream request ids make that safe)."""
    key_id, key = uuid.uuid4().hex, str(uuid.uuid4())
    assert await _claim(pool, key_id, key) is None
    idempotency.ResponseWriter(pool).store(key_id, key, 201, b"{}")  # never flushed
    with pytest.raises(idempotency.StillInFlight):
        await _claim(pool, key_id, key, wait_s=0.1)
    await pool.execute(
        "UPDATE http_idempotency SET claimed_at = now() - interval '1 hour' "
        "WHERE key_id = $1 AND idem_key = $2",
        key_id,
        key,
    )
    assert await _claim(pool, key_id, key) is None  # taken over: this request runs


async def _age(pool: asyncpg.Pool, key_id: str, key: str, age: str) -> None:
    await pool.execute(
        "UPDATE http_idempotency SET claimed_at = now() - $3::text::interval "
        "WHERE key_id = $1 AND idem_key = $2",
        key_id,
        key,
        age,
    )


async def test_an_answer_holding_a_secret_is_replayable_only_for_its_window(
    pool: asyncpg.Pool,
) -> None:
    """The API key's clear copy goes after `replay_s`; the record stays, so a retry
    gets the replacement answer instead of running again."""
    key_id = uuid.uuid4().hex
    old_secret, fresh_secret, old_plain = (str(uuid.uuid4()) for _ in range(3))
    writer = idempotency.ResponseWriter(pool)
    for key in (old_secret, fresh_secret, old_plain):
        assert await _claim(pool, key_id, key) is None
        secret = key != old_plain
        writer.store(key_id, key, 201, b'{"api_key": "g60_x_s3cret"}', holds_secret=secret)
    await writer.flush()
    await _age(pool, key_id, old_secret, "2 hours")
    await _age(pool, key_id, old_plain, "2 hours")

    scrubbed = await idempotency.scrub_secrets(pool, 3600.0, 410, b'{"status": 410}')

    assert scrubbed == 1
    assert await _claim(pool, key_id, old_secret) == idempotency.Stored(410, b'{"status": 410}')
    assert await _claim(pool, key_id, fresh_secret) == idempotency.Stored(
        201, b'{"api_key": "g60_x_s3cret"}'
    )
    assert await _claim(pool, key_id, old_plain) == idempotency.Stored(
        201, b'{"api_key": "g60_x_s3cret"}'
    )
    left = await pool.fetchval(
        "SELECT count(*) FROM http_idempotency WHERE key_id = $1 AND holds_secret", key_id
    )
    assert left == 1  # only the fresh one still holds its secret
    assert await idempotency.scrub_secrets(pool, 3600.0, 410, b"{}") == 0  # idempotent


async def test_an_unfinished_claim_holding_a_secret_is_scrubbed_once_stored(
    pool: asyncpg.Pool,
) -> None:
    """A request still in flight past the window has nothing to scrub yet; the answer
    that lands later goes on the next pass."""
    key_id, key = uuid.uuid4().hex, str(uuid.uuid4())
    assert await _claim(pool, key_id, key) is None
    await _age(pool, key_id, key, "2 hours")
    assert await idempotency.scrub_secrets(pool, 3600.0, 410, b"{}") == 0
    writer = idempotency.ResponseWriter(pool)
    writer.store(key_id, key, 201, b'{"api_key": "k"}', holds_secret=True)
    await writer.flush()
    assert await idempotency.scrub_secrets(pool, 3600.0, 410, b"{}") == 1
    assert await _claim(pool, key_id, key) == idempotency.Stored(410, b"{}")


async def test_a_claim_still_in_flight_tells_how_long_its_lease_lasts(pool: asyncpg.Pool) -> None:
    """What the 409's Retry-After is made of: when a retry could take the claim over."""
    key_id, key = uuid.uuid4().hex, str(uuid.uuid4())
    assert await _claim(pool, key_id, key) is None
    with pytest.raises(idempotency.StillInFlight) as held:
        await _claim(pool, key_id, key, wait_s=0.1)
    assert 25.0 < held.value.lease_left_s <= 30.0


async def test_records_past_their_retention_are_purged_a_batch_at_a_time(
    pool: asyncpg.Pool,
) -> None:
    key_id, young = uuid.uuid4().hex, str(uuid.uuid4())
    old = [str(uuid.uuid4()) for _ in range(5)]
    for key in [*old, young]:
        assert await _claim(pool, key_id, key) is None
    for key in old:
        await _age(pool, key_id, key, "8 days")
    # Batches of 2 until a short one; `>=`: rows aged by earlier runs may be due too.
    assert await idempotency.purge_older_than(pool, 7 * 24 * 3600.0, batch=2) >= 5
    left = await pool.fetch("SELECT idem_key FROM http_idempotency WHERE key_id = $1", key_id)
    assert [r["idem_key"] for r in left] == [young]
