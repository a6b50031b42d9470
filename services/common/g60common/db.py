"""asyncpg pool creation and schema application."""

from __future__ import annotations

from pathlib import Path

import asyncpg

from g60common.config import PostgresSettings


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skips asyncpg's default reset query (`RESET ALL; UNLISTEN *; CLOSE ALL; …`), one
    more round trip on every release. Nothing here keeps session state: no SET, and LISTEN
    and session advisory locks are undone explicitly by their users (the outbox relay).
    asyncpg itself still rolls back an open transaction and drops listener callbacks."""


async def create_pool(settings: PostgresSettings) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        settings.dsn,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        command_timeout=settings.command_timeout_s,
        reset=_keep_session,
        # Money transactions rely on row locks and conditional updates under
        # READ COMMITTED; say so rather than inherit a server default.
        server_settings={"default_transaction_isolation": "read committed", "timezone": "UTC"},
    )
    assert pool is not None
    return pool


async def apply_schema(pool: asyncpg.Pool, *sql_files: Path) -> None:
    """Apply idempotent DDL (CREATE ... IF NOT EXISTS) under an advisory lock, so two
    replicas starting together do not race each other."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(6060)")
        for sql_file in sql_files:
            await conn.execute(sql_file.read_text(encoding="utf-8"))


async def ensure_database(admin_dsn: str, name: str) -> None:
    """Create a database when missing (local stack and tests)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
