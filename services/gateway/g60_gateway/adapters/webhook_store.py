"""Webhook registrations and the delivery log in the gateway database. Every query
that takes an id is scoped to the owner (a member institution or an enterprise, named
with its kind: `Recipient`): another owner's id finds nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import asyncpg

from g60_gateway.domain.webhooks import Recipient

_DELIVERY_COLUMNS = """delivery_id, webhook_id, event_id, event_type, status, attempts,
    last_http_status, last_error, created_at, delivered_at"""


@dataclass(frozen=True)
class DueDelivery:
    delivery_id: int
    url: str
    secret: str
    event_id: str
    event_type: str
    body: bytes
    attempts: int


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def webhook_row(row: asyncpg.Record) -> dict[str, Any]:
    return {
        "webhook_id": row["webhook_id"],
        "url": row["url"],
        "created_at": _iso(row["created_at"]),
    }


def delivery_row(row: asyncpg.Record) -> dict[str, Any]:
    out = {k: row[k] for k in row.keys()}
    out["created_at"] = _iso(row["created_at"])
    out["delivered_at"] = _iso(row["delivered_at"])
    return out


# pg_advisory_xact_lock(61, hashtext(owner id)): one registration per owner at a time.
# (Space 60 is the enterprise credentials' lock.)
_CAP_LOCK_SPACE = 61
# The owner's kind and id, as $1 and $2 of every query scoped to it.
_OWNED = "owner_type = $1 AND bank_id = $2"
_DELETED_ERROR = "webhook deleted"


class WebhookDeleted(Exception):
    """The delivery's webhook was deleted: nothing is sent to it again."""


async def create_webhook(
    pool: asyncpg.Pool, owner: Recipient, url: str, secret: str, max_live: int
) -> dict[str, Any] | None:
    """The new webhook, or None when the owner already has `max_live` live ones. The
    count and the insert run under a per-owner lock: counted without it, concurrent
    registrations each saw room for one more and went past the cap together."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1, hashtext($2))", _CAP_LOCK_SPACE, owner.owner_id
        )
        live = await conn.fetchval(
            "SELECT count(*) FROM webhooks "
            "WHERE owner_type = $1 AND bank_id = $2 AND deleted_at IS NULL",
            owner.kind.value,
            owner.owner_id,
        )
        if live >= max_live:
            return None
        row = await conn.fetchrow(
            "INSERT INTO webhooks (webhook_id, owner_type, bank_id, url, secret) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING webhook_id, url, created_at",
            f"wh_{secrets.token_hex(8)}",
            owner.kind.value,
            owner.owner_id,
            url,
            secret,
        )
    return webhook_row(row)


async def list_webhooks(
    pool: asyncpg.Pool, owner: Recipient, after_id: str, limit: int
) -> list[dict[str, Any]]:
    """Live webhooks in id order, after `after_id` (a page token; "" for the first)."""
    rows = await pool.fetch(
        "SELECT webhook_id, url, created_at FROM webhooks "
        f"WHERE {_OWNED} AND deleted_at IS NULL AND webhook_id > $3 "
        "ORDER BY webhook_id LIMIT $4",
        owner.kind.value,
        owner.owner_id,
        after_id,
        limit,
    )
    return [webhook_row(r) for r in rows]


async def get_webhook(
    pool: asyncpg.Pool, owner: Recipient, webhook_id: str
) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT webhook_id, url, created_at FROM webhooks "
        f"WHERE {_OWNED} AND webhook_id = $3 AND deleted_at IS NULL",
        owner.kind.value,
        owner.owner_id,
        webhook_id,
    )
    return webhook_row(row) if row else None


async def owns_webhook(pool: asyncpg.Pool, owner: Recipient, webhook_id: str) -> bool:
    """Whether the owner registered this webhook, deleted or not: a deleted webhook's
    delivery log stays readable."""
    found = await pool.fetchval(
        f"SELECT 1 FROM webhooks WHERE {_OWNED} AND webhook_id = $3",
        owner.kind.value,
        owner.owner_id,
        webhook_id,
    )
    return found is not None


async def delete_webhook(pool: asyncpg.Pool, owner: Recipient, webhook_id: str) -> bool:
    """Nothing is sent to a deleted webhook again: its pending deliveries fail in the
    same transaction, and the sender leases only deliveries of live webhooks."""
    async with pool.acquire() as conn, conn.transaction():
        status = await conn.execute(
            "UPDATE webhooks SET deleted_at = now() "
            f"WHERE {_OWNED} AND webhook_id = $3 AND deleted_at IS NULL",
            owner.kind.value,
            owner.owner_id,
            webhook_id,
        )
        if status == "UPDATE 0":
            return False
        await conn.execute(
            "UPDATE webhook_deliveries SET status = 'FAILED', last_error = $2 "
            "WHERE webhook_id = $1 AND status = 'PENDING'",
            webhook_id,
            _DELETED_ERROR,
        )
    return True


async def list_deliveries(
    pool: asyncpg.Pool, owner: Recipient, webhook_id: str, after_id: int, limit: int
) -> list[dict[str, Any]]:
    """The log of a webhook the caller owns (`owns_webhook` first); rows carry the
    owner's id, its kind is the webhook's."""
    rows = await pool.fetch(
        f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries "
        "WHERE webhook_id = $1 AND bank_id = $2 AND delivery_id > $3 "
        "ORDER BY delivery_id LIMIT $4",
        webhook_id,
        owner.owner_id,
        after_id,
        limit,
    )
    return [delivery_row(r) for r in rows]


async def redeliver(
    pool: asyncpg.Pool, owner: Recipient, webhook_id: str, delivery_id: int
) -> dict[str, Any] | None:
    """Queue the same event (same event id and body) again, whatever its outcome so far.
    None: no such delivery of this owner's webhook. WebhookDeleted: the webhook was
    deleted. The webhook row is share-locked, so a concurrent delete either waits and
    then fails the delivery queued here, or commits first and is seen here."""
    async with pool.acquire() as conn, conn.transaction():
        hook = await conn.fetchrow(
            f"SELECT deleted_at FROM webhooks WHERE {_OWNED} AND webhook_id = $3 FOR SHARE",
            owner.kind.value,
            owner.owner_id,
            webhook_id,
        )
        if hook is None:
            return None
        if hook["deleted_at"] is not None:
            if await _has_delivery(conn, webhook_id, delivery_id):
                raise WebhookDeleted(webhook_id)
            return None
        row = await conn.fetchrow(
            f"""UPDATE webhook_deliveries
                SET status = 'PENDING', attempts = 0, next_attempt_at = now(),
                    delivered_at = NULL
                WHERE delivery_id = $1 AND webhook_id = $2 AND bank_id = $3
                RETURNING {_DELIVERY_COLUMNS}""",
            delivery_id,
            webhook_id,
            owner.owner_id,
        )
    return delivery_row(row) if row else None


async def _has_delivery(conn: asyncpg.Connection, webhook_id: str, delivery_id: int) -> bool:
    found = await conn.fetchval(
        "SELECT 1 FROM webhook_deliveries WHERE delivery_id = $1 AND webhook_id = $2",
        delivery_id,
        webhook_id,
    )
    return found is not None


async def enqueue(
    conn: asyncpg.Connection, owners: set[Recipient], event_id: str, event_type: str, body: bytes
) -> int:
    """One delivery per live webhook of each owner; a re-consumed event adds none."""
    ordered = sorted(owners)
    status = await conn.execute(
        """INSERT INTO webhook_deliveries (webhook_id, bank_id, event_id, event_type, body)
           SELECT w.webhook_id, w.bank_id, $3, $4, $5
           FROM webhooks w JOIN unnest($1::text[], $2::text[]) AS o (owner_type, owner_id)
             ON w.owner_type = o.owner_type AND w.bank_id = o.owner_id
           WHERE w.deleted_at IS NULL
           ON CONFLICT (webhook_id, event_id) DO NOTHING""",
        [owner.kind.value for owner in ordered],
        [owner.owner_id for owner in ordered],
        event_id,
        event_type,
        body,
    )
    return int(status.rsplit(" ", 1)[1])


async def remember_targets(conn: asyncpg.Connection, application_id: str, banks: list[str]) -> None:
    await conn.execute(
        "INSERT INTO webhook_application_targets (application_id, bank_ids) VALUES ($1, $2) "
        "ON CONFLICT (application_id) DO NOTHING",
        application_id,
        banks,
    )


async def recall_targets(conn: asyncpg.Connection, application_id: str) -> tuple[str, ...]:
    found = await conn.fetchval(
        "SELECT bank_ids FROM webhook_application_targets WHERE application_id = $1",
        application_id,
    )
    return tuple(found or ())


async def remember_decline(
    conn: asyncpg.Connection, application_id: str, bank_id: str, aggregate_version: int
) -> None:
    await conn.execute(
        "INSERT INTO webhook_application_declines (application_id, bank_id, aggregate_version) "
        "VALUES ($1, $2, $3) ON CONFLICT (application_id, bank_id) DO NOTHING",
        application_id,
        bank_id,
        aggregate_version,
    )


async def recall_declines(conn: asyncpg.Connection, application_id: str) -> dict[str, int]:
    """Bank id -> the application version its decline made."""
    rows = await conn.fetch(
        "SELECT bank_id, aggregate_version FROM webhook_application_declines "
        "WHERE application_id = $1",
        application_id,
    )
    return {row["bank_id"]: row["aggregate_version"] for row in rows}


async def lease_due(pool: asyncpg.Pool, limit: int, lease_s: float) -> list[DueDelivery]:
    """Take due deliveries and push their next attempt past the lease, so a second
    gateway replica (or a crash mid-send) cannot lose or double-lease them."""
    # Only deliveries of live webhooks: a delivery left PENDING by an attempt that was
    # in flight while its webhook was deleted is never sent again.
    rows = await pool.fetch(
        """WITH due AS (
               SELECT d.delivery_id FROM webhook_deliveries d
               WHERE d.status = 'PENDING' AND d.next_attempt_at <= now()
                 AND EXISTS (SELECT 1 FROM webhooks w
                             WHERE w.webhook_id = d.webhook_id AND w.deleted_at IS NULL)
               ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
           UPDATE webhook_deliveries d
           SET next_attempt_at = now() + make_interval(secs => $2)
           FROM due, webhooks w
           WHERE d.delivery_id = due.delivery_id AND w.webhook_id = d.webhook_id
           RETURNING d.delivery_id, w.url, w.secret, d.event_id, d.event_type, d.body,
                     d.attempts""",
        limit,
        lease_s,
    )
    return [
        DueDelivery(
            r["delivery_id"],
            r["url"],
            r["secret"],
            r["event_id"],
            r["event_type"],
            bytes(r["body"]),
            r["attempts"],
        )
        for r in rows
    ]


async def record_attempt(
    pool: asyncpg.Pool,
    delivery_id: int,
    http_status: int | None,
    error: str,
    retry_in_s: float | None,
) -> None:
    """Delivered when retry_in_s is None and there is no error; FAILED when the retry
    budget is spent (retry_in_s None with an error), or when the webhook was deleted
    while the attempt was in flight (nothing is sent to it again)."""
    delivered = error == ""
    status = "DELIVERED" if delivered else ("PENDING" if retry_in_s is not None else "FAILED")
    await pool.execute(
        """UPDATE webhook_deliveries d
           SET status = CASE WHEN $2 = 'PENDING' AND EXISTS (
                   SELECT 1 FROM webhooks w
                   WHERE w.webhook_id = d.webhook_id AND w.deleted_at IS NOT NULL)
                 THEN 'FAILED' ELSE $2 END,
               attempts = attempts + 1, last_http_status = $3, last_error = $4,
               next_attempt_at = now() + make_interval(secs => $5),
               delivered_at = CASE WHEN $2 = 'DELIVERED' THEN now() ELSE delivered_at END
           WHERE delivery_id = $1""",
        delivery_id,
        status,
        http_status,
        error[:500],
        retry_in_s or 0.0,
    )
