"""Gateway databases made before guarantee companies held keys, or before SMEs kept
webhooks: starting the gateway (apply_schema) widens the api_credentials CHECK once and
keeps its keys, gives every old webhook the owner kind `member`, and a second start
changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio
from g60_gateway.adapters import webhook_store
from g60_gateway.adapters.credentials import SCHEMA_SQL
from g60_gateway.domain.webhooks import OwnerKind, Recipient
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


# webhooks and their deliveries as the gateway created them before SMEs kept webhooks:
# every owner was a member institution (a bank or a guarantee company).
OLD_WEBHOOKS_DDL = """CREATE TABLE webhooks (
    webhook_id  TEXT PRIMARY KEY,
    bank_id     TEXT NOT NULL,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    deleted_at  TIMESTAMPTZ
);
CREATE TABLE webhook_deliveries (
    delivery_id      BIGSERIAL PRIMARY KEY,
    webhook_id       TEXT NOT NULL REFERENCES webhooks (webhook_id),
    bank_id          TEXT NOT NULL,
    event_id         TEXT NOT NULL,
    event_type       TEXT NOT NULL,
    body             BYTEA NOT NULL,
    status           TEXT NOT NULL DEFAULT 'PENDING',
    attempts         INT NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_http_status INT,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    delivered_at     TIMESTAMPTZ,
    UNIQUE (webhook_id, event_id)
)"""
WEBHOOK_CHECKS_SQL = """SELECT conname, pg_get_constraintdef(oid) AS definition
   FROM pg_constraint WHERE conrelid = 'webhooks'::regclass AND contype = 'c'"""


async def test_old_webhooks_become_members_and_enterprises_may_keep_webhooks(
    old_pool: asyncpg.Pool,
) -> None:
    bank_id = str(uuid.uuid4())
    await old_pool.execute(OLD_WEBHOOKS_DDL)
    await old_pool.execute(
        "INSERT INTO webhooks (webhook_id, bank_id, url, secret) VALUES ($1, $2, $3, 's')",
        "wh_0000000000000001",
        bank_id,
        "https://bank.example/hook",
    )
    await apply_schema(old_pool, SCHEMA_SQL)
    bank, sme = Recipient(OwnerKind.MEMBER, bank_id), Recipient(OwnerKind.ENTERPRISE, bank_id)
    # The old webhook is its bank's, and no enterprise's, whatever the id.
    assert [h["webhook_id"] for h in await webhook_store.list_webhooks(old_pool, bank, "", 50)] == [
        "wh_0000000000000001"
    ]
    assert await webhook_store.list_webhooks(old_pool, sme, "", 50) == []
    created = await webhook_store.create_webhook(old_pool, sme, "https://sme.example/h", "s", 20)
    assert created is not None
    async with old_pool.acquire() as conn:
        added = await webhook_store.enqueue(conn, {sme}, "ev-1", "FinancingApproved", b"{}")
    assert added == 1  # the enterprise's webhook only, not the bank's of the same id
    owners = await old_pool.fetch("SELECT webhook_id, owner_type FROM webhooks ORDER BY 2")
    assert [(r["webhook_id"], r["owner_type"]) for r in owners] == [
        (created["webhook_id"], "enterprise"),
        ("wh_0000000000000001", "member"),
    ]
    with pytest.raises(asyncpg.CheckViolationError):
        await old_pool.execute("UPDATE webhooks SET owner_type = 'auditor'")
    checks = await old_pool.fetch(WEBHOOK_CHECKS_SQL)
    await apply_schema(old_pool, SCHEMA_SQL)  # the next start: nothing left to do
    assert await old_pool.fetch(WEBHOOK_CHECKS_SQL) == checks and len(checks) == 1
