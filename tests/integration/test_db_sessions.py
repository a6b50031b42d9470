"""What PostgreSQL itself enforces on every service's pool sessions (g60common.db)."""

from __future__ import annotations

import time
import uuid

import asyncpg
import pytest
from g60common.config import PostgresSettings
from g60common.db import create_pool, ensure_database
from g60common.stack import StackEndpoints

pytestmark = pytest.mark.integration


async def test_a_transaction_left_idle_gives_up_its_row_locks(stack: StackEndpoints) -> None:
    name = f"sessiontest_{uuid.uuid4().hex[:8]}"
    await ensure_database(stack.pg_dsn, name)
    dsn = stack.pg_dsn.rsplit("/", 1)[0] + f"/{name}"
    settings = PostgresSettings(dsn, 1, 3, 10.0, idle_in_transaction_timeout_s=0.5)
    pool = await create_pool(settings)
    try:
        assert await pool.fetchval("SHOW idle_in_transaction_session_timeout") == "500ms"
        await pool.execute("CREATE TABLE line (id int PRIMARY KEY, utilized_fen bigint NOT NULL)")
        await pool.execute("INSERT INTO line VALUES (1, 0)")
        # A service instance that stops between two statements of a drawdown (paused,
        # partitioned): its transaction holds the line's row lock and sends nothing.
        stalled = await pool.acquire()
        await stalled.execute("BEGIN")
        await stalled.execute("SELECT * FROM line WHERE id = 1 FOR UPDATE")
        started = time.monotonic()
        async with pool.acquire() as other, other.transaction():
            await other.execute("UPDATE line SET utilized_fen = utilized_fen + 1 WHERE id = 1")
        # The server ended the idle session after 0.5 s; the client timeout is 10 s.
        assert time.monotonic() - started < 5
        with pytest.raises((asyncpg.InterfaceError, asyncpg.PostgresError)):
            await stalled.execute("UPDATE line SET utilized_fen = utilized_fen + 100 WHERE id = 1")
        await pool.release(stalled)
        assert await pool.fetchval("SELECT utilized_fen FROM line WHERE id = 1") == 1
    finally:
        await pool.close()


def test_the_idle_transaction_limit_is_read_from_the_environment() -> None:
    env = {"G60_CREDIT_PG_IDLE_IN_TRANSACTION_TIMEOUT_S": "12.5"}
    assert (
        PostgresSettings.from_env(env, "G60_CREDIT", "g60_credit").idle_in_transaction_timeout_s
        == 12.5
    )
    assert (
        PostgresSettings.from_env({}, "G60_CREDIT", "g60_credit").idle_in_transaction_timeout_s
        == 30.0
    )
