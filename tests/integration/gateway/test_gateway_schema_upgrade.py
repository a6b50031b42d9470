"""A gateway database made before guarantee companies held keys: starting the gateway
(apply_schema) widens its api_credentials CHECK once, keeps its keys, and a second
start changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from g60_gateway.adapters.credentials import SCHEMA_SQL
from g60common.db import apply_schema, dsn_for_database, ensure_database
from g60common.stack import StackEndpoints

pytestmark = pytest.mark.integration

# api_credentials as the gateway created it before the 'guarantor' principal type.
OLD_CREDENTIALS_DDL = """CREATE TABLE api_credentials (
    key_id         TEXT PRIMARY KEY,
    secret_sha256  BYTEA NOT NULL,
    principal_type TEXT NOT NULL CHECK (principal_type IN ('bank', 'enterprise', 'operator')),
    principal_id   TEXT NOT NULL,
    scopes         TEXT[] NOT NULL DEFAULT '{}',
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at     TIMESTAMPTZ
)"""
CHECKS_SQL = """SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint
   WHERE conrelid = 'api_credentials'::regclass AND contype = 'c'"""
INSERT_SQL = """INSERT INTO api_credentials (key_id, secret_sha256, principal_type, principal_id)
   VALUES ($1, '\\x00', $2, $3)"""


@pytest_asyncio.fixture(loop_scope="session")
async def old_pool(stack: StackEndpoints) -> AsyncIterator[asyncpg.Pool]:
    """A database of its own (fresh each run), holding the old table and one old key."""
    name = f"g60_gateway_upgrade_{uuid.uuid4().hex[:12]}"
    await ensure_database(stack.pg_dsn, name)
    created = await asyncpg.create_pool(
        dsn_for_database(stack.pg_dsn, name), min_size=1, max_size=2
    )
    assert created is not None
    try:
        await created.execute(OLD_CREDENTIALS_DDL)
        await created.execute(INSERT_SQL, "old-bank-key", "bank", str(uuid.uuid4()))
        yield created
    finally:
        await created.close()
        admin = await asyncpg.connect(stack.pg_dsn)
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {name}")
        finally:
            await admin.close()


async def test_the_old_check_is_widened_once_and_old_keys_stay(old_pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.CheckViolationError):
        await old_pool.execute(INSERT_SQL, "too-early", "guarantor", str(uuid.uuid4()))
    await apply_schema(old_pool, SCHEMA_SQL)
    widened = await old_pool.fetch(CHECKS_SQL)
    assert len(widened) == 1 and "'guarantor'" in widened[0]["definition"]
    await old_pool.execute(INSERT_SQL, "guarantor-key", "guarantor", str(uuid.uuid4()))
    with pytest.raises(asyncpg.CheckViolationError):
        await old_pool.execute(INSERT_SQL, "bogus-key", "auditor", "x")
    await apply_schema(old_pool, SCHEMA_SQL)  # the next start: nothing left to do
    assert await old_pool.fetch(CHECKS_SQL) == widened
    kinds = await old_pool.fetch("SELECT key_id, principal_type FROM api_credentials")
    assert {(r["key_id"], r["principal_type"]) for r in kinds} == {
        ("old-bank-key", "bank"),
        ("guarantor-key", "guarantor"),
    }


async def test_a_new_database_gets_the_wide_check_at_once(old_pool: asyncpg.Pool) -> None:
    await old_pool.execute("DROP TABLE api_credentials")
    await apply_schema(old_pool, SCHEMA_SQL)
    checks = await old_pool.fetch(CHECKS_SQL)
    assert [r["conname"] for r in checks] == ["api_credentials_principal_type_check"]
    assert "'guarantor'" in checks[0]["definition"]
