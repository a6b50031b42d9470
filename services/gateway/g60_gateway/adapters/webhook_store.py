"""Webhook registrations and the delivery log in the gateway database. Every query
that takes an id is scoped to the owning bank: another bank's id finds nothing."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import asyncpg

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


async def create_webhook(pool: asyncpg.Pool, bank_id: str, url: str, secret: str) -> dict[str, Any]:
    row = await pool.fetchrow(
        "INSERT INTO webhooks (webhook_id, bank_id, url, secret) VALUES ($1, $2, $3, $4) "
        "RETURNING webhook_id, url, created_at",
        f"wh_{secrets.token_hex(8)}",
        bank_id,
        url,
        secret,
    )
    return webhook_row(row)


async def list_webhooks(pool: asyncpg.Pool, bank_id: str, limit: int) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT webhook_id, url, created_at FROM webhooks "
        "WHERE bank_id = $1 AND deleted_at IS NULL ORDER BY webhook_id LIMIT $2",
        bank_id,
        limit,
    )
    return [webhook_row(r) for r in rows]


async def get_webhook(pool: asyncpg.Pool, bank_id: str, webhook_id: str) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT webhook_id, url, created_at FROM webhooks "
        "WHERE webhook_id = $1 AND bank_id = $2 AND deleted_at IS NULL",
        webhook_id,
        bank_id,
    )
    return webhook_row(row) if row else None


async def delete_webhook(pool: asyncpg.Pool, bank_id: str, webhook_id: str) -> bool:
    status = await pool.execute(
        "UPDATE webhooks SET deleted_at = now() "
        "WHERE webhook_id = $1 AND bank_id = $2 AND deleted_at IS NULL",
        webhook_id,
        bank_id,
    )
    return bool(status != "UPDATE 0")


async def list_deliveries(
    pool: asyncpg.Pool, bank_id: str, webhook_id: str, after_id: int, limit: int
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT {_DELIVERY_COLUMNS} FROM webhook_deliveries "
        "WHERE webhook_id = $1 AND bank_id = $2 AND delivery_id > $3 "
        "ORDER BY delivery_id LIMIT $4",
        webhook_id,
        bank_id,
        after_id,
        limit,
    )
    return [delivery_row(r) for r in rows]


async def redeliver(
    pool: asyncpg.Pool, bank_id: str, webhook_id: str, delivery_id: int
) -> dict[str, Any] | None:
    """Queue the same event (same event id and body) again, whatever its outcome so far."""
    row = await pool.fetchrow(
        f"""UPDATE webhook_deliveries
            SET status = 'PENDING', attempts = 0, next_attempt_at = now(), delivered_at = NULL
            WHERE delivery_id = $1 AND webhook_id = $2 AND bank_id = $3
            RETURNING {_DELIVERY_COLUMNS}""",
        delivery_id,
        webhook_id,
        bank_id,
    )
    return delivery_row(row) if row else None


async def enqueue(
    conn: asyncpg.Connection, bank_ids: set[str], event_id: str, event_type: str, body: bytes
) -> int:
    """One delivery per live webhook of each bank; a re-consumed event adds none."""
    status = await conn.execute(
        """INSERT INTO webhook_deliveries (webhook_id, bank_id, event_id, event_type, body)
           SELECT webhook_id, bank_id, $2, $3, $4 FROM webhooks
           WHERE bank_id = ANY($1::text[]) AND deleted_at IS NULL
           ON CONFLICT (webhook_id, event_id) DO NOTHING""",
        sorted(bank_ids),
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


async def lease_due(pool: asyncpg.Pool, limit: int, lease_s: float) -> list[DueDelivery]:
    """Take due deliveries and push their next attempt past the lease, so a second
    gateway replica (or a crash mid-send) cannot lose or double-lease them."""
    rows = await pool.fetch(
        """WITH due AS (
               SELECT delivery_id FROM webhook_deliveries
               WHERE status = 'PENDING' AND next_attempt_at <= now()
               ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
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
    budget is spent (retry_in_s None with an error)."""
    delivered = error == ""
    status = "DELIVERED" if delivered else ("PENDING" if retry_in_s is not None else "FAILED")
    await pool.execute(
        """UPDATE webhook_deliveries
           SET status = $2, attempts = attempts + 1, last_http_status = $3, last_error = $4,
               next_attempt_at = now() + make_interval(secs => $5),
               delivered_at = CASE WHEN $2 = 'DELIVERED' THEN now() ELSE delivered_at END
           WHERE delivery_id = $1""",
        delivery_id,
        status,
        http_status,
        error[:500],
        retry_in_s or 0.0,
    )
