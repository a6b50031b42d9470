"""Idempotency-Key storage: one row per (credential, key) in the gateway database.

Claim first, answer later. The claim is an INSERT on the primary key, so of several
concurrent identical requests exactly one proceeds; the others poll the row until the
first stores its response. A claim older than its lease (the owner crashed) may be
taken over: downstream writes carry the same request id, so re-running them is safe.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass

import asyncpg
from g60common.db import delete_older_than

from g60_gateway.adapters.database import DatabaseUnavailable

POLL_INTERVAL_S = 0.05
PURGE_INTERVAL_S = 600.0
SCRUB_INTERVAL_S = 60.0
PURGE_BATCH = 10_000
STORE_RETRIES = 5
STORE_RETRY_PAUSE_S = 0.5
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Stored:
    status: int
    body: bytes
    # The body carries a secret (an API key shown once): replayable only for a short
    # while, then replaced by `scrub_secrets`.
    holds_secret: bool = False


class KeyReusedForOtherRequest(Exception):
    """The key was used before, by this credential, for a different request."""


class StillInFlight(Exception):
    """An identical request with this key is still being processed; its claim may be
    taken over in `lease_left_s`."""

    def __init__(self, idem_key: str, lease_left_s: float) -> None:
        super().__init__(idem_key)
        self.lease_left_s = lease_left_s


def fingerprint(method: str, path: str, canonical_body: bytes) -> bytes:
    return hashlib.sha256(f"{method} {path}\0".encode() + canonical_body).digest()


async def claim(
    pool: asyncpg.Pool, key_id: str, idem_key: str, print_: bytes, wait_s: float, lease_s: float
) -> Stored | None:
    """None: this request owns the key and must run. Stored: replay that response."""
    deadline = time.monotonic() + wait_s
    while True:
        row = await pool.fetchrow(
            """INSERT INTO http_idempotency (key_id, idem_key, fingerprint)
               VALUES ($1, $2, $3)
               ON CONFLICT (key_id, idem_key) DO UPDATE SET claimed_at = now()
                   WHERE http_idempotency.status IS NULL
                     AND http_idempotency.fingerprint = excluded.fingerprint
                     AND http_idempotency.claimed_at < now() - make_interval(secs => $4)
               RETURNING true AS mine""",
            key_id,
            idem_key,
            print_,
            lease_s,
        )
        if row is not None:
            return None
        existing = await pool.fetchrow(
            """SELECT fingerprint, status, body,
                      extract(epoch FROM claimed_at + make_interval(secs => $3) - now())::float8
                          AS lease_left_s
               FROM http_idempotency WHERE key_id = $1 AND idem_key = $2""",
            key_id,
            idem_key,
            lease_s,
        )
        if existing is None:
            continue  # the owner gave up (5xx) between our two statements
        if bytes(existing["fingerprint"]) != print_:
            raise KeyReusedForOtherRequest(idem_key)
        if existing["status"] is not None:
            return Stored(int(existing["status"]), bytes(existing["body"]))
        if time.monotonic() >= deadline:
            raise StillInFlight(idem_key, max(0.0, float(existing["lease_left_s"])))
        await asyncio.sleep(POLL_INTERVAL_S)


async def store_many(pool: asyncpg.Pool, responses: dict[tuple[str, str], Stored]) -> None:
    """Finish many claims in one statement (one round trip, one commit)."""
    keys = list(responses)
    await pool.execute(
        """UPDATE http_idempotency AS h
           SET status = r.status, body = r.body, holds_secret = r.holds_secret
           FROM unnest($1::text[], $2::text[], $3::int[], $4::bytea[], $5::bool[])
                AS r (key_id, idem_key, status, body, holds_secret)
           WHERE h.key_id = r.key_id AND h.idem_key = r.idem_key""",
        [k for k, _ in keys],
        [i for _, i in keys],
        [responses[k].status for k in keys],
        [responses[k].body for k in keys],
        [responses[k].holds_secret for k in keys],
    )


class ResponseWriter:
    """Stores finished responses off the request path, many per statement.

    The client gets its answer before the stored copy is written. Nothing is lost by
    that: until the write lands, the claim row says "in flight", so an identical retry
    waits (and polls) rather than running again; if the gateway dies first, the claim's
    lease expires and a retry re-runs the call downstream with the same request id,
    where the services' own request-id idempotency returns the original result. That is
    the same path a crash between the call and a synchronous store always took.

    Batching is natural, not timed: whatever finished while one write was running goes
    into the next one. On two cores this took a round trip and a commit per request off
    the gateway's hot path.
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._pending: dict[tuple[str, str], Stored] = {}
        self._wake = asyncio.Event()

    def store(
        self, key_id: str, idem_key: str, status: int, body: bytes, *, holds_secret: bool = False
    ) -> None:
        self._pending[(key_id, idem_key)] = Stored(status, body, holds_secret)
        self._wake.set()

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            await self.flush()

    async def flush(self) -> None:
        """Write everything pending; on shutdown, the lifespan awaits this last."""
        failures = 0
        while self._pending:
            batch, self._pending = self._pending, {}
            try:
                await store_many(self._pool, batch)
                failures = 0
            except asyncio.CancelledError:
                # Shutdown cancelled the background writer mid-write: keep the batch
                # for the final flush (rewriting a landed update is harmless).
                self._pending = {**batch, **self._pending}
                raise
            except (OSError, asyncpg.PostgresError, DatabaseUnavailable):
                failures += 1
                if failures > STORE_RETRIES:
                    # The claims stay "in flight" until their lease runs out; retries
                    # then re-run downstream, idempotently. Nothing is applied twice.
                    log.exception("dropping %d stored responses after retries", len(batch))
                    continue
                log.warning("storing %d responses failed; retrying", len(batch), exc_info=True)
                self._pending = {**batch, **self._pending}
                await asyncio.sleep(STORE_RETRY_PAUSE_S)


async def release(pool: asyncpg.Pool, key_id: str, idem_key: str) -> None:
    """Forget an unfinished claim (a transient failure) so the client may retry."""
    await pool.execute(
        "DELETE FROM http_idempotency WHERE key_id = $1 AND idem_key = $2 AND status IS NULL",
        key_id,
        idem_key,
    )


async def purge_older_than(pool: asyncpg.Pool, retention_s: float, batch: int) -> int:
    """Forget records past their retention, a bounded batch at a time; returns how many."""
    return await delete_older_than(pool, "http_idempotency", "claimed_at", retention_s, batch)


async def scrub_secrets(pool: asyncpg.Pool, replay_s: float, status: int, body: bytes) -> int:
    """Replace stored answers that carry a secret and are older than `replay_s` by
    (status, body). The record stays: the key still names a finished request, so a
    retry gets that answer instead of running again, and another body is still 422."""
    done = await pool.execute(
        """UPDATE http_idempotency SET status = $2, body = $3, holds_secret = false
           WHERE holds_secret AND status IS NOT NULL
             AND claimed_at < now() - make_interval(secs => $1)""",
        replay_s,
        status,
        body,
    )
    return int(done.rsplit(" ", 1)[1])


async def purge_expired(pool: asyncpg.Pool, retention_s: float) -> None:
    """Keys are kept long enough for any client retry (a week by default), not forever."""
    await purge_older_than(pool, retention_s, PURGE_BATCH)
