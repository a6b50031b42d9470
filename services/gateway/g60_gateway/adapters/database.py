"""The pool request handling draws on, with every use bounded in time.

asyncpg waits for a free connection, and for a new one to be made, without a limit of
its own (the connect timeout is 60 s), and a stalled server (paused, partitioned) keeps
a statement waiting until TCP gives up. So each use of `RequestPool`, one statement or
one `async with pool.acquire()` block, runs under one deadline: waiting for a
connection, its statements and giving it back, as the services' unit of work does
(g60common.uow). A database that is down, refuses, drops the connection or runs out of
time raises `DatabaseUnavailable`, which the gateway answers as 503 (problems.py).

Background work (webhooks, housekeeping) has a pool of its own (entrypoints/app.py),
so it can never take the connections requests need.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from g60common.db import DATABASE_TIMEOUTS, DATABASE_UNAVAILABLE

# The database is gone or going, not the statement's fault (g60common's list: refused,
# lost or shut down connections, a call broken mid-way, no connection slots), or out of
# time.
OUT_OF_SERVICE = (*DATABASE_UNAVAILABLE, *DATABASE_TIMEOUTS)
_CUT_OFF: tuple[type[BaseException], ...] = (asyncio.CancelledError, *OUT_OF_SERVICE)


class DatabaseUnavailable(Exception):
    """The gateway's database could not be used in time; a retry may succeed."""


class RequestPool:
    """The subset of asyncpg.Pool the request path uses, each call under one deadline."""

    def __init__(self, pool: asyncpg.Pool, deadline_s: float) -> None:
        self._pool = pool
        self._deadline_s = deadline_s

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection for one block; waiting for it and the block share the deadline."""
        try:
            async with asyncio.timeout(self._deadline_s):
                conn = await self._connection()
                try:
                    yield conn
                except _CUT_OFF:
                    # Cut off by the deadline or broken: closed at once, since resetting
                    # it would wait on the same stalled server past the deadline.
                    conn.terminate()
                    raise
                finally:
                    await self._pool.release(conn, timeout=self._deadline_s)
        except OUT_OF_SERVICE as exc:
            raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def _connection(self) -> asyncpg.Connection:
        try:
            return await self._pool.acquire()
        except asyncpg.PostgresError as exc:
            # Refused while connecting, whatever the reason (a database closed to
            # connections answers 55000, bad credentials 28P01): there is no connection.
            if isinstance(exc, OUT_OF_SERVICE):
                raise
            raise DatabaseUnavailable(f"{type(exc).__name__}: {exc}") from exc

    async def fetchrow(self, query: str, *args: Any) -> Any:
        async with self.acquire() as conn:
            return await conn.fetchrow(query, *args)

    async def fetch(self, query: str, *args: Any) -> list[Any]:
        async with self.acquire() as conn:
            return list(await conn.fetch(query, *args))

    async def fetchval(self, query: str, *args: Any) -> Any:
        async with self.acquire() as conn:
            return await conn.fetchval(query, *args)

    async def execute(self, query: str, *args: Any) -> str:
        async with self.acquire() as conn:
            return str(await conn.execute(query, *args))

    async def close(self) -> None:
        await self._pool.close()
