"""The PostgreSQL unit of work that every service's handlers use.

`async with uow:` opens one transaction; state changes, outbox events and the
idempotency record all commit together or not at all. Leaving the block without
`commit()` rolls back.
"""

from __future__ import annotations

from types import TracebackType

import asyncpg
from asyncpg.transaction import Transaction
from g60.events.v1 import envelope_pb2

from g60common import idempotency
from g60common.outbox.store import append_event


class PgUnitOfWork:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._conn: asyncpg.Connection | None = None
        self._tx: Transaction | None = None

    @property
    def conn(self) -> asyncpg.Connection:
        assert self._conn is not None, "use the unit of work inside `async with`"
        return self._conn

    async def __aenter__(self) -> PgUnitOfWork:
        self._conn = await self._pool.acquire()
        self._tx = self._conn.transaction()
        await self._tx.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._tx is not None:
                await self._tx.rollback()
        finally:
            self._tx = None
            if self._conn is not None:
                await self._pool.release(self._conn)
                self._conn = None

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
