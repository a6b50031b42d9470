"""The PostgreSQL unit of work that every service's handlers use.

`async with uow:` opens one transaction; state changes, outbox events and the
idempotency record all commit together or not at all. Leaving the block without
`commit()` rolls back.

The whole block runs under one deadline (`timeout_s`): acquiring a connection, every
statement and the commit. When it passes, the transaction is rolled back and the block
raises TimeoutError; a retry with the same request id is safe, since the idempotency
record commits with the change. The request pools carry no per-statement timer for the
same reason (g60common.db.create_request_pool).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

import asyncpg
from asyncpg.transaction import Transaction
from g60.events.v1 import envelope_pb2

from g60common import idempotency
from g60common.config import DEFAULT_TRANSACTION_TIMEOUT_S
from g60common.outbox.store import append_event

# Rolling back and handing the connection back take a millisecond on a healthy server.
# When the deadline struck because the server stalled, waiting a whole second deadline
# for them would double the caller's wait; past this, the connection is closed instead
# and PostgreSQL rolls the session back itself.
CLEANUP_TIMEOUT_S = 1.0


def _utc_now() -> datetime:
    return datetime.now(UTC)


class PgUnitOfWork:
    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Callable[[], datetime] = _utc_now,
        timeout_s: float = DEFAULT_TRANSACTION_TIMEOUT_S,
    ) -> None:
        self._pool = pool
        self._clock = clock  # stamps the events the subclasses publish
        self._timeout_s = timeout_s
        self._deadline: asyncio.Timeout | None = None
        self._conn: asyncpg.Connection | None = None
        self._tx: Transaction | None = None

    @property
    def conn(self) -> asyncpg.Connection:
        assert self._conn is not None, "use the unit of work inside `async with`"
        return self._conn

    async def __aenter__(self) -> PgUnitOfWork:
        deadline = asyncio.timeout(self._timeout_s)
        await deadline.__aenter__()
        self._deadline = deadline
        try:
            self._conn = await self._pool.acquire()
            self._tx = self._conn.transaction()
            await self._tx.start()
        except BaseException as exc:
            await self.__aexit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await self._roll_back_and_release()
        finally:
            deadline, self._deadline = self._deadline, None
            if deadline is not None:
                # Turns the deadline's cancellation into TimeoutError.
                await deadline.__aexit__(exc_type, exc, tb)

    async def _roll_back_and_release(self) -> None:
        conn, tx = self._conn, self._tx
        self._conn = self._tx = None
        if conn is None:
            return
        cleanup_s = min(CLEANUP_TIMEOUT_S, self._timeout_s)
        try:
            if tx is not None:
                # Bounded on its own: the block's deadline may be what ended it.
                async with asyncio.timeout(cleanup_s):
                    await tx.rollback()
        except TimeoutError:
            # The server is not answering: close the session rather than wait for a
            # reset too; PostgreSQL rolls back a transaction whose session ended.
            conn.terminate()
            raise
        finally:
            # asyncpg closes a connection it cannot reset instead of pooling it.
            await self._pool.release(conn, timeout=cleanup_s)

    async def commit(self) -> None:
        assert self._tx is not None
        await self._tx.commit()
        self._tx = None

    async def claim_request(self, caller: str, request_id: str, fingerprint: bytes) -> bytes | None:
        return await idempotency.claim(self.conn, caller, request_id, fingerprint)

    async def record_response(self, caller: str, request_id: str, response: bytes) -> None:
        await idempotency.record_response(self.conn, caller, request_id, response)

    async def append_event(self, topic: str, envelope: envelope_pb2.EventEnvelope) -> None:
        await append_event(self.conn, topic, envelope)
