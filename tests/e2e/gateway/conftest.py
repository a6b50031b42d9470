"""One fresh platform for every gateway end-to-end module (package scope), plus a
populated world: two banks and two SMEs in two cities, with lines, applications and
webhooks, so each module can probe tenancy, limits and webhooks against real data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.conftest import RunningPlatform, running_platform
from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.world import World, build_world

# Fast retries so failed webhook deliveries are retried within the test's patience.
GATEWAY_TEST_ENV = {
    "G60_WEBHOOK_BACKOFF_BASE_S": "0.2",
    "G60_WEBHOOK_BACKOFF_MAX_S": "1.0",
    "G60_WEBHOOK_MAX_ATTEMPTS": "6",
    "G60_WEBHOOK_POLL_INTERVAL_S": "0.2",
    # The credit sweeper (expiry, overdue loans) looks every second, not every minute.
    "G60_CREDIT_EXPIRY_SWEEP_S": "1.0",
}


@pytest.fixture(scope="package")
def gateway_platform() -> Iterator[RunningPlatform]:
    with running_platform("g60-gw-e2e-", GATEWAY_TEST_ENV) as running:
        yield running


@pytest.fixture(scope="package")
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as running:
        yield running


@pytest.fixture(scope="package")
def world(gateway_platform: RunningPlatform, receiver: Receiver) -> World:
    return build_world(gateway_platform, receiver)
