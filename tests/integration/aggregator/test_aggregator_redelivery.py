"""Duplicates, reordered stale copies and version gaps on the real broker: totals
stay exact and the metrics say what happened."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest
from g60.events.v1 import credit_events_pb2 as pb
from g60.events.v1 import envelope_pb2
from g60_aggregator.synthetic import SyntheticHistory
from g60common.events import new_envelope
from g60common.stack import Stack

from tests.integration.aggregator.conftest import Workers, url_of
from tests.integration.aggregator.helpers import (
    expected_document,
    metric,
    metrics_page,
    poll_totals,
    produce,
)

pytestmark = pytest.mark.integration


def _wait_metric(url: str, name: str, value: float, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while metric(url, name) < value and time.monotonic() < deadline:
        time.sleep(0.3)
    assert metric(url, name) == value, name


def _registered(line_id: str, version: int) -> envelope_pb2.EventEnvelope:
    return new_envelope(
        pb.CreditLineRegistered(
            credit_line_id=line_id, limit_fen=100,
            parties=pb.CreditParties(enterprise_city="330100", bank_id="gap-bank"),
            balances=pb.CreditLineBalances(limit_fen=100, status="ACTIVE"),
        ),
        aggregate_type="CreditLine", aggregate_id=line_id, aggregate_version=version,
        occurred_at=datetime(2026, 1, 1, tzinfo=UTC), correlation_id="test",
    )  # fmt: skip


@pytest.mark.parametrize("workers", ["at_least_once", "exactly_once"], indirect=True)
async def test_republished_and_shuffled_events_change_nothing(
    own_stack: Stack, workers: Workers
) -> None:
    history = SyntheticHistory(2026, banks=9, enterprises=60).events(3_000)
    url = url_of(workers.start("solo"))
    await produce(own_stack.kafka_bootstrap, history)
    expected = expected_document(history)
    poll_totals(url, expected)
    assert metric(url, "g60_aggregator_duplicates_skipped") == 0

    rng = random.Random(5)
    copies = rng.sample(history, len(history) // 10)
    rng.shuffle(copies)  # within a key too: stale versions arrive after newer ones
    await produce(own_stack.kafka_bootstrap, copies)
    _wait_metric(url, "g60_aggregator_duplicates_skipped", len(copies))
    poll_totals(url, expected)
    assert metric(url, "g60_aggregator_version_gaps") == 0
    assert metric(url, "g60_aggregator_events_applied") == len(history)
    page = metrics_page(url)
    lag = 'g60_aggregator_consumer_lag_messages{partition="0",topic="g60.credit.events.v1"}'
    assert f"{lag} 0.0" in page
    assert 'g60_aggregator_credit_granted_yuan{city="",scope="alliance"}' in page

    # A version gap (v2 never arrives) is applied, logged and counted.
    await produce(own_stack.kafka_bootstrap, [_registered("gap-line", 1)])
    await produce(own_stack.kafka_bootstrap, [_registered("gap-line", 3)])
    _wait_metric(url, "g60_aggregator_version_gaps", 1)
