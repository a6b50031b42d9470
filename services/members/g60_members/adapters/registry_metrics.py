"""Prometheus gauges of the registry's size, refreshed from the database.

Counting in SQL on a timer (rather than inc/dec on each change) keeps the gauges right
across replicas and restarts: every replica reports the same truth, at most one
refresh interval old.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from prometheus_client import Gauge

log = logging.getLogger(__name__)

MEMBERS_REGISTERED = Gauge(
    "g60_members_registered",
    "Member institutions in the registry",
    ["institution_type", "home_city", "status"],
)
ENTERPRISES_REGISTERED = Gauge(
    "g60_enterprises_registered",
    "Enterprises in the registry (status PENDING_VERIFICATION is the office's KYC queue)",
    ["city", "size_class", "status"],
)


async def refresh_registry_gauges(conn: asyncpg.Connection) -> None:
    members = await conn.fetch(
        """SELECT institution_type, home_city, status, count(*) AS n
           FROM members GROUP BY 1, 2, 3"""
    )
    enterprises = await conn.fetch(
        "SELECT city, size_class, status, count(*) AS n FROM enterprises GROUP BY 1, 2, 3"
    )
    # Clear first so a combination that dropped to zero rows disappears.
    MEMBERS_REGISTERED.clear()
    for row in members:
        MEMBERS_REGISTERED.labels(row["institution_type"], row["home_city"], row["status"]).set(
            row["n"]
        )
    ENTERPRISES_REGISTERED.clear()
    for row in enterprises:
        ENTERPRISES_REGISTERED.labels(row["city"], row["size_class"], row["status"]).set(row["n"])


async def run_registry_gauges(pool: asyncpg.Pool, stop: asyncio.Event, interval_s: float) -> None:
    while not stop.is_set():
        try:
            async with pool.acquire() as conn:
                await refresh_registry_gauges(conn)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("registry gauges not refreshed: %r", exc)
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            pass
