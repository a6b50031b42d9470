"""The sign-up's token buckets in PostgreSQL, so the limit per client address holds
across gateway replicas. It is an anti-enumeration control (a script trying USCCs to
learn who is registered): with buckets in each process, N replicas would allow N times
the rate. A sign-up already costs several statements, so one more is cheap; the
per-credential API limit, on every request, stays in process (`domain.rate_limit`).

The database clock is the only clock, so replicas never disagree about refills.
"""

from __future__ import annotations

import asyncpg

PURGE_INTERVAL_S = 600.0

# One statement: take a token if the refilled bucket has one (the row lock of ON
# CONFLICT serialises concurrent takers, and the WHERE sees the latest tokens), else
# estimate how long until one is due. A refused take changes nothing, so refills are
# exact. The estimate reads the statement's snapshot, which may predate a concurrent
# taker: only `taken` decides, the wait is advice for Retry-After.
_TAKE = """
WITH taken AS (
    INSERT INTO signup_buckets AS b (address, tokens, updated_at)
    VALUES ($1, $2::float8 - 1, now())
    ON CONFLICT (address) DO UPDATE
        SET tokens = least($2::float8,
                           b.tokens + extract(epoch FROM now() - b.updated_at) * $3::float8) - 1,
            updated_at = now()
        WHERE least($2::float8,
                    b.tokens + extract(epoch FROM now() - b.updated_at) * $3::float8) >= 1
    RETURNING true AS taken, 0::float8 AS wait_s
)
SELECT taken, wait_s FROM taken
UNION ALL
SELECT false, (1 - least($2::float8,
                         tokens + extract(epoch FROM now() - updated_at) * $3::float8)) / $3::float8
FROM signup_buckets WHERE address = $1 AND NOT EXISTS (SELECT 1 FROM taken)
"""


class SignupLimiter:
    def __init__(self, pool: asyncpg.Pool, rate_per_s: float, burst: int) -> None:
        assert rate_per_s > 0 and burst >= 1
        self._pool = pool
        self._rate_per_s = rate_per_s
        self._burst = burst

    async def retry_after_s(self, address: str) -> float:
        """Take one token for this address: 0 when allowed, else seconds until one is due."""
        row = await self._pool.fetchrow(_TAKE, address, float(self._burst), self._rate_per_s)
        if row is not None and row["taken"]:
            return 0.0
        # Refused. With no row, or a stale estimate of zero, the snapshot predates the
        # takers that emptied the bucket: a token is at most one refill away.
        wait_s = 0.0 if row is None else float(row["wait_s"])
        return wait_s if wait_s > 0 else 1.0 / self._rate_per_s

    @property
    def refill_s(self) -> float:
        """After this long unused, a bucket is full: the same as no row at all."""
        return self._burst / self._rate_per_s

    async def purge_full(self) -> int:
        done = await self._pool.execute(
            "DELETE FROM signup_buckets WHERE updated_at < now() - make_interval(secs => $1)",
            self.refill_s,
        )
        return int(done.rsplit(" ", 1)[1])
