"""The sign-up's per-address token buckets in PostgreSQL: one limit for every gateway
replica, exact under concurrent sign-ups, refilled by the database's clock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from g60_gateway.adapters.credentials import SCHEMA_SQL
from g60_gateway.adapters.signup_limit import SignupLimiter
from g60common.db import apply_schema, dsn_for_database, ensure_database
from g60common.stack import StackEndpoints

pytestmark = pytest.mark.integration
DATABASE = "g60_gateway_signup_limit_test"
RATE_PER_S, BURST = 0.1, 5  # the gateway's defaults: 5 at once, then one every 10 s


async def _pool(stack: StackEndpoints) -> asyncpg.Pool:
    await ensure_database(stack.pg_dsn, DATABASE)
    created = await asyncpg.create_pool(
        dsn_for_database(stack.pg_dsn, DATABASE), min_size=1, max_size=25
    )
    assert created is not None
    await apply_schema(created, SCHEMA_SQL)
    return created


@pytest_asyncio.fixture(loop_scope="session")
async def replicas(stack: StackEndpoints) -> AsyncIterator[tuple[SignupLimiter, SignupLimiter]]:
    """Two gateway replicas: a pool and a limiter each, one database."""
    pools = [await _pool(stack), await _pool(stack)]
    try:
        yield (
            SignupLimiter(pools[0], RATE_PER_S, BURST),
            SignupLimiter(pools[1], RATE_PER_S, BURST),
        )
    finally:
        for pool in pools:
            await pool.close()


def _address() -> str:
    return f"198.51.100.{uuid.uuid4().int % 250}-{uuid.uuid4().hex[:8]}"


async def test_a_burst_then_one_every_ten_seconds(
    replicas: tuple[SignupLimiter, SignupLimiter],
) -> None:
    limiter, address = replicas[0], _address()
    waits = [await limiter.retry_after_s(address) for _ in range(BURST + 2)]
    assert waits[:BURST] == [0.0] * BURST
    assert all(0 < w <= 1 / RATE_PER_S for w in waits[BURST:]), waits


async def test_replicas_share_one_bucket_per_address(
    replicas: tuple[SignupLimiter, SignupLimiter],
) -> None:
    a, b = replicas
    address = _address()
    allowed = [await a.retry_after_s(address) == 0 for _ in range(3)]
    allowed += [await b.retry_after_s(address) == 0 for _ in range(3)]
    assert allowed == [True] * BURST + [False]
    assert await a.retry_after_s(address) > 0
    assert await b.retry_after_s(_address()) == 0  # another address, its own bucket


async def test_concurrent_sign_ups_get_exactly_the_burst(
    replicas: tuple[SignupLimiter, SignupLimiter],
) -> None:
    for _ in range(5):
        address = _address()
        waits = await asyncio.gather(*(replicas[n % 2].retry_after_s(address) for n in range(20)))
        assert sum(w == 0 for w in waits) == BURST, waits


async def test_tokens_come_back_at_the_rate(
    replicas: tuple[SignupLimiter, SignupLimiter],
) -> None:
    limiter, address = replicas[0], _address()
    for _ in range(BURST):
        assert await limiter.retry_after_s(address) == 0
    assert await limiter.retry_after_s(address) > 0
    await _age(limiter, address, seconds=1 / RATE_PER_S + 0.5)  # one token's worth
    assert await limiter.retry_after_s(address) == 0
    assert await limiter.retry_after_s(address) > 0


async def test_purge_drops_only_buckets_that_are_full_again(
    replicas: tuple[SignupLimiter, SignupLimiter],
) -> None:
    limiter, idle, busy = replicas[0], _address(), _address()
    for address in (idle, busy):
        assert await limiter.retry_after_s(address) == 0
    await _age(limiter, idle, seconds=limiter.refill_s + 1)
    assert await limiter.purge_full() >= 1
    assert await _bucket_count(limiter, idle) == 0
    assert await _bucket_count(limiter, busy) == 1


async def _age(limiter: SignupLimiter, address: str, seconds: float) -> None:
    await limiter._pool.execute(
        "UPDATE signup_buckets SET updated_at = updated_at - make_interval(secs => $2) "
        "WHERE address = $1",
        address,
        seconds,
    )


async def _bucket_count(limiter: SignupLimiter, address: str) -> int:
    return int(
        await limiter._pool.fetchval(
            "SELECT count(*) FROM signup_buckets WHERE address = $1", address
        )
    )
