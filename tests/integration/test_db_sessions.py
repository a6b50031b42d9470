"""How long anything may take in PostgreSQL (g60common.db, g60common.uow): the server
ends runaway statements and abandoned transactions, and a unit of work runs under one
deadline, after which it rolls back and gives its connection back.

Every await that could hang is bounded here, so a regression fails with a message
instead of holding the suite until pytest's own limit."""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace

import asyncpg
import pytest
from g60common.config import PostgresSettings
from g60common.db import (
    create_request_pool,
    dsn_for_database,
    ensure_database,
    session_settings,
)
from g60common.stack import StackEndpoints
from g60common.uow import CLEANUP_TIMEOUT_S, PgUnitOfWork

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

GUARD_S = 10.0


@pytest.fixture
async def settings(stack: StackEndpoints) -> PostgresSettings:
    name = f"sessiontest_{uuid.uuid4().hex[:8]}"
    async with asyncio.timeout(GUARD_S):
        await ensure_database(stack.pg_dsn, name)
    dsn = dsn_for_database(stack.pg_dsn, name)
    return PostgresSettings(
        dsn,
        1,
        3,
        command_timeout_s=GUARD_S,
        statement_timeout_s=2.0,
        idle_in_transaction_timeout_s=0.5,
    )


@pytest.fixture
async def pool(settings: PostgresSettings) -> AsyncIterator[asyncpg.Pool]:
    async with asyncio.timeout(GUARD_S):
        created = await create_request_pool(settings)
        await created.execute(
            "CREATE TABLE line (id int PRIMARY KEY, utilized_fen bigint NOT NULL);"
            "INSERT INTO line VALUES (1, 0)"
        )
    try:
        yield created
    finally:
        try:
            async with asyncio.timeout(GUARD_S):
                await created.close()
        except TimeoutError:
            created.terminate()
            raise


async def _utilized_fen(pool: asyncpg.Pool) -> int:
    async with asyncio.timeout(GUARD_S):
        value = await pool.fetchval("SELECT utilized_fen FROM line WHERE id = 1")
    assert isinstance(value, int)
    return value


async def test_every_session_carries_the_server_side_limits(pool: asyncpg.Pool) -> None:
    async with asyncio.timeout(GUARD_S):
        assert await pool.fetchval("SHOW statement_timeout") == "2s"
        assert await pool.fetchval("SHOW idle_in_transaction_session_timeout") == "500ms"
        assert await pool.fetchval("SHOW default_transaction_isolation") == "read committed"


async def test_the_server_ends_a_runaway_statement(pool: asyncpg.Pool) -> None:
    # The request pool's statements carry no client timer; PostgreSQL still stops them.
    started = time.monotonic()
    async with asyncio.timeout(GUARD_S):
        with pytest.raises(asyncpg.exceptions.QueryCanceledError):
            await pool.execute("SELECT pg_sleep(30)")
    assert time.monotonic() - started < 6


async def test_a_transaction_left_idle_gives_up_its_row_locks(
    settings: PostgresSettings, pool: asyncpg.Pool
) -> None:
    # A service instance that stops between two statements of a drawdown (paused,
    # partitioned): its transaction holds the line's row lock and sends nothing more.
    stalled = await asyncpg.connect(settings.dsn, server_settings=session_settings(settings))
    try:
        async with asyncio.timeout(GUARD_S):
            await stalled.execute("BEGIN")
            await stalled.execute("SELECT * FROM line WHERE id = 1 FOR UPDATE")
        started = time.monotonic()
        async with PgUnitOfWork(pool, timeout_s=GUARD_S) as uow:
            await uow.conn.execute("UPDATE line SET utilized_fen = utilized_fen + 1 WHERE id = 1")
            await uow.commit()
        # The server ended the idle session after 0.5 s, well before the 10 s deadline.
        assert time.monotonic() - started < 5
        async with asyncio.timeout(GUARD_S):
            # Its session is gone, and its transaction with it.
            gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = $1"
            assert await pool.fetchval(gone, stalled.get_server_pid()) == 0
    finally:
        stalled.terminate()
    assert await _utilized_fen(pool) == 1


async def test_a_unit_of_work_past_its_deadline_rolls_back_and_frees_its_connection(
    settings: PostgresSettings, pool: asyncpg.Pool
) -> None:
    # Statements may wait on locks for longer than the deadline: only the deadline acts.
    relaxed = replace(settings, statement_timeout_s=GUARD_S, idle_in_transaction_timeout_s=GUARD_S)
    single = await create_request_pool(replace(relaxed, pool_min_size=1, pool_max_size=1))
    holder = await asyncpg.connect(settings.dsn)
    try:
        async with asyncio.timeout(GUARD_S):
            await pool.execute("INSERT INTO line VALUES (2, 0)")
            await holder.execute("BEGIN")
            await holder.execute("SELECT * FROM line WHERE id = 1 FOR UPDATE")
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with PgUnitOfWork(single, timeout_s=0.3) as uow:
                await uow.conn.execute("UPDATE line SET utilized_fen = 7 WHERE id = 2")
                # Waits for the holder's row lock, past the deadline.
                await uow.conn.execute("UPDATE line SET utilized_fen = 7 WHERE id = 1")
                await uow.commit()
        assert time.monotonic() - started < 3
        async with asyncio.timeout(GUARD_S):
            await holder.execute("COMMIT")
            # The pool's only connection is back and usable, and nothing was written.
            assert await single.fetchval("SELECT sum(utilized_fen) FROM line") == 0
    finally:
        holder.terminate()
        single.terminate()


async def test_a_stalled_server_holds_a_unit_of_work_no_longer_than_its_deadline(
    settings: PostgresSettings,
) -> None:
    """The server stops answering mid-transaction (its backend is paused, as in a
    stall): the caller gets TimeoutError after the deadline plus at most the cleanup
    budget, not a second deadline spent waiting for the rollback."""
    single = await create_request_pool(replace(settings, pool_min_size=1, pool_max_size=1))
    backend = int(await single.fetchval("SELECT pg_backend_pid()"))
    deadline_s = 1.5
    try:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            async with PgUnitOfWork(single, timeout_s=deadline_s) as uow:
                await uow.conn.execute("SELECT 1")
                os.kill(backend, signal.SIGSTOP)
                await uow.conn.execute("SELECT 2")  # never answered
        elapsed_s = time.monotonic() - started
        assert deadline_s <= elapsed_s < deadline_s + CLEANUP_TIMEOUT_S + 0.5
    finally:
        os.kill(backend, signal.SIGCONT)
        single.terminate()


async def test_a_cancelled_unit_of_work_rolls_back_and_frees_its_connection(
    settings: PostgresSettings, pool: asyncpg.Pool
) -> None:
    # A gRPC caller that goes away cancels its handler mid-transaction.
    single = await create_request_pool(replace(settings, pool_min_size=1, pool_max_size=1))
    holder = await asyncpg.connect(settings.dsn)
    locked = asyncio.Event()

    async def drawdown() -> None:
        async with PgUnitOfWork(single, timeout_s=GUARD_S) as uow:
            await uow.conn.execute("INSERT INTO line VALUES (3, 5)")
            locked.set()
            await uow.conn.execute("UPDATE line SET utilized_fen = 9 WHERE id = 1")
            await uow.commit()

    try:
        async with asyncio.timeout(GUARD_S):
            await holder.execute("BEGIN")
            await holder.execute("SELECT * FROM line WHERE id = 1 FOR UPDATE")
            task = asyncio.create_task(drawdown())
            await locked.wait()
            await asyncio.sleep(0.1)  # now waiting for the holder's row lock
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            await holder.execute("COMMIT")
            # The only connection is back, and neither statement was kept.
            assert await single.fetchval("SELECT count(*) FROM line WHERE id = 3") == 0
            assert await single.fetchval("SELECT utilized_fen FROM line WHERE id = 1") == 0
    finally:
        holder.terminate()
        single.terminate()


def test_the_limits_are_read_from_the_environment() -> None:
    env = {
        "G60_CREDIT_PG_TRANSACTION_TIMEOUT_S": "4",
        "G60_CREDIT_PG_STATEMENT_TIMEOUT_S": "2.5",
        "G60_CREDIT_PG_IDLE_IN_TRANSACTION_TIMEOUT_S": "12.5",
    }
    configured = PostgresSettings.from_env(env, "G60_CREDIT", "g60_credit")
    assert configured.transaction_timeout_s == 4.0
    assert configured.statement_timeout_s == 2.5
    assert configured.idle_in_transaction_timeout_s == 12.5
    defaults = PostgresSettings.from_env({}, "G60_CREDIT", "g60_credit")
    assert (defaults.transaction_timeout_s, defaults.statement_timeout_s) == (10.0, 10.0)
    assert defaults.idle_in_transaction_timeout_s == 30.0
    assert session_settings(configured)["statement_timeout"] == "2500ms"
