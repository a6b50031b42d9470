"""Background task of the gRPC services: forget request-id records past their retention.

The contract: a retry with the same request id is safe within the retention
(`G60_<SERVICE>_IDEMPOTENCY_RETENTION_S`, a month by default), since it finds the stored
answer. Once the record is purged, the same id is a new request and runs again.

Runs in every replica. Two replicas purging at once only find fewer rows each: a row
another purge deleted is skipped, and a deadlock between them fails one round, which
the next round makes up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import asyncpg
from prometheus_client import Counter

from g60common import idempotency
from g60common.config import IdempotencySettings

log = logging.getLogger(__name__)
RECORDS_PURGED = Counter(
    "g60_idempotency_records_purged",
    "Request-id (idempotency) records deleted after their retention",
    ["service"],
)


async def purge_expired(pool: asyncpg.Pool, service: str, settings: IdempotencySettings) -> int:
    purged = await idempotency.purge_older_than(
        pool, settings.retention_s, settings.purge_batch_size
    )
    RECORDS_PURGED.labels(service).inc(purged)
    return purged


async def run_idempotency_purge(
    pool: asyncpg.Pool, stop: asyncio.Event, service: str, settings: IdempotencySettings
) -> None:
    """Purge now and then every `purge_interval_s` until `stop`, on the background pool
    (its statements carry their own timeout)."""
    while not stop.is_set():
        try:
            purged = await purge_expired(pool, service, settings)
            log.info("purged %d request-id records older than %s s", purged, settings.retention_s)
        except Exception:  # the database down or a bug: logged, tried again next round
            log.exception("idempotency purge failed; next try in %s s", settings.purge_interval_s)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.purge_interval_s)
