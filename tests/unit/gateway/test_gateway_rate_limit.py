"""Token buckets: burst, refill, per-credential isolation and scope overrides; the
scopes a key may be issued with, and Retry-After bounds."""

from __future__ import annotations

import math

import pytest
from g60_gateway.domain.principals import InvalidScopes, check_scopes
from g60_gateway.domain.rate_limit import (
    MAX_RATE_PER_S,
    MAX_RETRY_AFTER_S,
    MIN_RATE_PER_S,
    RateLimiter,
    TokenBucket,
    rate_from_scopes,
    retry_after_header_s,
)
from g60_gateway.entrypoints.bodies import IssueCredentialBody
from pydantic import ValidationError


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


def test_a_stored_rate_outside_the_range_is_clamped_into_it() -> None:
    """Keys issued before scopes were checked may carry any number."""
    assert rate_from_scopes(frozenset({"rate_per_s=1e-320"}), 50.0) == MIN_RATE_PER_S
    assert rate_from_scopes(frozenset({"rate_per_s=1e300"}), 50.0) == MAX_RATE_PER_S


def test_the_slowest_bucket_still_answers_a_bounded_retry_after() -> None:
    limiter = RateLimiter(default_per_s=50.0, burst=1)
    scopes = frozenset({"rate_per_s=1e-320"})
    assert limiter.retry_after_s("k", scopes, 0.0) == 0.0
    wait_s = limiter.retry_after_s("k", scopes, 0.0)
    assert 1 <= retry_after_header_s(wait_s) <= MAX_RETRY_AFTER_S


@pytest.mark.parametrize(
    ("wait_s", "header_s"),
    [(0.01, 1), (1.2, 2), (99.0, 99), (1e300, MAX_RETRY_AFTER_S), (math.inf, MAX_RETRY_AFTER_S)],
)
def test_retry_after_is_whole_seconds_between_one_and_an_hour(wait_s: float, header_s: int) -> None:
    """math.ceil(inf) raised OverflowError: every request after the burst was a 500."""
    assert retry_after_header_s(wait_s) == header_s


@pytest.mark.parametrize("scope", ["rate_per_s=0.01", "rate_per_s=500", "rate_per_s=1e4"])
def test_rates_within_the_range_are_issued(scope: str) -> None:
    check_scopes([scope, "bulk-loader"])


@pytest.mark.parametrize(
    "scopes",
    [
        ["rate_per_s=1e-320"],
        ["rate_per_s=abc"],
        ["rate_per_s="],
        ["rate_per_s=0"],
        ["rate_per_s=-5"],
        ["rate_per_s=inf"],
        ["rate_per_s=nan"],
        ["rate_per_s=10001"],
        ["rate_per_s=5", "rate_per_s=6"],
        [""],
        ["two words"],
    ],
)
def test_scopes_a_key_cannot_carry_are_refused_at_issue(scopes: list[str]) -> None:
    with pytest.raises(InvalidScopes):
        check_scopes(scopes)
    body = {"principal_type": "operator", "principal_id": "alliance-office", "scopes": scopes}
    with pytest.raises(ValidationError) as caught:
        IssueCredentialBody.model_validate(body)
    assert [e["loc"][0] for e in caught.value.errors()] == ["scopes"]
