"""asyncpg pool creation, schema application, and the batched purge of old rows."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from g60common.config import PostgresSettings

# A transaction that ran out of time, on either side: the unit of work's deadline or
# asyncpg's timer (TimeoutError), PostgreSQL's statement_timeout (QueryCanceledError), or
# its idle_in_transaction_session_timeout. Services answer UNAVAILABLE: a retry with the
# same request id is safe whether or not the commit got through.
DATABASE_TIMEOUTS: tuple[type[BaseException], ...] = (
    TimeoutError,
    asyncpg.exceptions.QueryCanceledError,
    asyncpg.exceptions.IdleInTransactionSessionTimeoutError,
)
DATABASE_TIMEOUT_MESSAGE = "the database did not answer in time; retry with the same request id"
# The database could not be reached or dropped the session: refused or reset
# connections (OSError), the connection-exception class 08, operator intervention
# (class 57: shutdowns, a server still starting), too many connections (53300), and
# asyncpg's own errors for a connection that broke mid-call. Like a timeout, the client
# should retry, with the same request id: UNAVAILABLE.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.TooManyConnectionsError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)
DATABASE_UNAVAILABLE_MESSAGE = "the database is unavailable; retry with the same request id"


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Skips asyncpg's default reset query (`RESET ALL; UNLISTEN *; CLOSE ALL; …`), one
    more round trip on every release. Nothing here keeps session state: no SET, and LISTEN
    and session advisory locks are undone explicitly by their users (the outbox relay).
    asyncpg itself still rolls back an open transaction and drops listener callbacks."""


async def create_pool(settings: PostgresSettings) -> asyncpg.Pool:
    """A pool for loose statements (the gateway, background tasks): asyncpg bounds each
    statement with `command_timeout_s`."""
    return await _create_pool(settings, settings.command_timeout_s)


async def create_request_pool(settings: PostgresSettings) -> asyncpg.Pool:
    """A pool whose every statement runs inside a unit of work, which bounds the whole
    transaction with one deadline (g60common.uow). Its statements carry no timer of
    their own: asyncpg arms and cancels one per statement, 1.5-2 µs of the event loop
    each, about a tenth of what a statement costs the client (docs/benchmarks.md).
    PostgreSQL still ends any statement or idle transaction that
    overruns (session_settings)."""
    return await _create_pool(settings, None)


def session_settings(settings: PostgresSettings) -> dict[str, str]:
    """What PostgreSQL enforces on each of a pool's sessions."""
    return {
        # Money transactions rely on row locks and conditional updates under
        # READ COMMITTED; say so rather than inherit a server default.
        "default_transaction_isolation": "read committed",
        "timezone": "UTC",
        "statement_timeout": _milliseconds(settings.statement_timeout_s),
        # A client that stalls mid-transaction with its socket open (paused, partitioned)
        # would otherwise keep its row locks, a credit line's among them, until TCP
        # gives up. A killed client is no problem: its socket closes.
        "idle_in_transaction_session_timeout": _milliseconds(
            settings.idle_in_transaction_timeout_s
        ),
    }


async def _create_pool(settings: PostgresSettings, command_timeout_s: float | None) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        settings.dsn,
        min_size=settings.pool_min_size,
        max_size=settings.pool_max_size,
        command_timeout=command_timeout_s,
        reset=_keep_session,
        server_settings=session_settings(settings),
    )
    assert pool is not None
    return pool


def _milliseconds(seconds: float) -> str:
    return f"{max(1, round(seconds * 1000))}ms"


async def apply_schema(pool: asyncpg.Pool, *sql_files: Path) -> None:
    """Apply idempotent DDL (CREATE ... IF NOT EXISTS) under an advisory lock, so two
    replicas starting together do not race each other."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(6060)")
        for sql_file in sql_files:
            await conn.execute(sql_file.read_text(encoding="utf-8"))


_SQL_NAME = re.compile(r"[a-z_][a-z0-9_]*")


async def delete_older_than(
    pool: asyncpg.Pool, table: str, time_column: str, age_s: float, batch_size: int
) -> int:
    """Delete the rows of `table` whose `time_column` is more than `age_s` old, returning
    how many. One statement per `batch_size` rows, each its own short transaction (no
    long-held locks, no burst of WAL), until a batch comes back short. That ends: rows
    age past the cutoff far more slowly than a batch deletes them."""
    # Names go into the SQL text; they come from the code, never from a caller.
    assert _SQL_NAME.fullmatch(table) and _SQL_NAME.fullmatch(time_column), (table, time_column)
    assert batch_size > 0, batch_size
    statement = f"""DELETE FROM {table} WHERE ctid IN (
        SELECT ctid FROM {table}
        WHERE {time_column} < now() - make_interval(secs => $1) LIMIT $2)"""
    total = 0
    while True:
        status = await pool.execute(statement, age_s, batch_size)
        deleted = int(status.rsplit(" ", 1)[1])
        total += deleted
        if deleted < batch_size:
            return total


def dsn_for_database(dsn: str, database: str) -> str:
    """The same server and options, another database: only the URL's path changes, so
    query options (`sslmode`, a Unix socket's `host=/dir`, `port`) are kept."""
    parts = urlsplit(dsn)
    if parts.scheme not in ("postgresql", "postgres"):
        # The DSN itself is not echoed: it may carry a password.
        raise ValueError("a PostgreSQL DSN must be a postgresql:// URL")
    return urlunsplit(parts._replace(path=f"/{database}"))


async def ensure_database(admin_dsn: str, name: str) -> None:
    """Create a database when missing (local stack and tests)."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
