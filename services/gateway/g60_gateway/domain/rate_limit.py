"""Per-credential token buckets. Pure: the caller passes the clock in."""

from __future__ import annotations

import math
from dataclasses import dataclass

RATE_SCOPE_PREFIX = "rate_per_s="
MAX_BUCKETS = 100_000  # bounded memory: idle buckets are dropped beyond this
# The range a credential's own rate may take: from one request per 100 s (a key that
# should barely run) to far beyond any bulk loader. Below it a bucket refills so
# slowly that the wait overflows what Retry-After, or math.ceil, can express.
MIN_RATE_PER_S = 0.01
MAX_RATE_PER_S = 10_000.0
MAX_RETRY_AFTER_S = 3600


@dataclass
class TokenBucket:
    rate_per_s: float
    burst: int
    tokens: float
    updated_s: float

    def take(self, now_s: float) -> float:
        """Take one token. Returns 0 when allowed, else the seconds until one is due."""
        elapsed_s = max(0.0, now_s - self.updated_s)
        self.tokens = min(float(self.burst), self.tokens + elapsed_s * self.rate_per_s)
        self.updated_s = now_s
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate_per_s


def parse_rate_scope(scope: str) -> float:
    """The rate of a `rate_per_s=N` scope; ValueError unless N is a finite number
    within MIN_RATE_PER_S..MAX_RATE_PER_S (checked when a key is issued)."""
    try:
        value = float(scope.removeprefix(RATE_SCOPE_PREFIX))
    except ValueError:
        value = math.nan
    if not MIN_RATE_PER_S <= value <= MAX_RATE_PER_S:  # also false for nan
        raise ValueError(
            f"{scope!r}: rate_per_s must be a number from {MIN_RATE_PER_S:g} to {MAX_RATE_PER_S:g}"
        )
    return value


def rate_from_scopes(scopes: frozenset[str], default_per_s: float) -> float:
    """A credential may carry its own limit as a scope `rate_per_s=N` (bulk loaders).
    Keys issued before scopes were checked may hold any text: a number is clamped
    into the allowed range, anything else ignored."""
    for scope in scopes:
        if scope.startswith(RATE_SCOPE_PREFIX):
            try:
                value = float(scope.removeprefix(RATE_SCOPE_PREFIX))
            except ValueError:
                continue
            if value > 0 and math.isfinite(value):
                return min(MAX_RATE_PER_S, max(MIN_RATE_PER_S, value))
    return default_per_s


def retry_after_header_s(wait_s: float) -> int:
    """Whole seconds for Retry-After: at least 1, at most MAX_RETRY_AFTER_S, so no wait
    (however long, even infinite) can make math.ceil overflow."""
    if not wait_s < MAX_RETRY_AFTER_S:  # also true for inf and nan
        return MAX_RETRY_AFTER_S
    return max(1, math.ceil(wait_s))


class RateLimiter:
    def __init__(self, default_per_s: float, burst: int) -> None:
        assert default_per_s > 0 and burst >= 1
        self._default_per_s = default_per_s
        self._burst = burst
        self._buckets: dict[str, TokenBucket] = {}

    def retry_after_s(self, key_id: str, scopes: frozenset[str], now_s: float) -> float:
        bucket = self._buckets.get(key_id)
        if bucket is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._buckets.clear()  # a fresh full bucket each is the safe direction
            rate = rate_from_scopes(scopes, self._default_per_s)
            burst = max(self._burst, int(rate))
            bucket = TokenBucket(rate, burst, float(burst), now_s)
            self._buckets[key_id] = bucket
        return bucket.take(now_s)
