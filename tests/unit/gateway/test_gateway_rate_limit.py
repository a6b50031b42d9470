"""Token buckets: burst, refill, per-credential isolation and scope overrides."""

from __future__ import annotations

from g60_gateway.domain.rate_limit import RateLimiter, TokenBucket, rate_from_scopes


def test_burst_then_refusal_then_refill() -> None:
    bucket = TokenBucket(rate_per_s=2.0, burst=3, tokens=3.0, updated_s=0.0)
    assert [bucket.take(0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert bucket.take(0.0) == 0.5  # one token every 0.5 s
    assert bucket.take(0.5) == 0.0


def test_bucket_never_exceeds_burst() -> None:
    bucket = TokenBucket(rate_per_s=100.0, burst=2, tokens=0.0, updated_s=0.0)
    bucket.take(1000.0)
    assert bucket.tokens == 1.0


def test_credentials_have_separate_buckets() -> None:
    limiter = RateLimiter(default_per_s=1.0, burst=1)
    assert limiter.retry_after_s("a", frozenset(), 0.0) == 0.0
    assert limiter.retry_after_s("a", frozenset(), 0.0) > 0.0
    assert limiter.retry_after_s("b", frozenset(), 0.0) == 0.0


def test_scope_overrides_the_default_rate() -> None:
    assert rate_from_scopes(frozenset({"rate_per_s=500"}), 50.0) == 500.0
    assert rate_from_scopes(frozenset({"rate_per_s=nan", "rate_per_s=-1"}), 50.0) == 50.0
    assert rate_from_scopes(frozenset({"credit"}), 50.0) == 50.0
