"""The gateway's connection pool.

Unlike g60common.db.create_pool, release does not run asyncpg's default reset
(`RESET ALL; UNLISTEN *; CLOSE ALL; …`): that is one more round trip per query, and
the gateway keeps no session state (no LISTEN, no SET, only transaction-scoped
advisory locks). Open transactions are still rolled back by asyncpg itself."""

from __future__ import annotations

import asyncpg
from g60common.config import PostgresSettings


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Nothing to reset: see the module docstring."""


async def create_gateway_pool(settings: PostgresSettings) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        settings.dsn,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        command_timeout=settings.command_timeout_s,
        reset=_keep_session,
        server_settings={"default_transaction_isolation": "read committed", "timezone": "UTC"},
    )
    assert pool is not None
    return pool
