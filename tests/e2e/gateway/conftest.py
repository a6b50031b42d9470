"""One fresh platform for every gateway end-to-end module (package scope), plus a
populated world: two banks and two SMEs in two cities, with lines, applications and
webhooks, so each module can probe tenancy, limits and webhooks against real data."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from g60common.launcher import start_platform
from g60common.platform_cli import issue_operator_key
from g60common.stack import start_stack

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.world import World, build_world

# Fast retries so failed webhook deliveries are retried within the test's patience.
GATEWAY_TEST_ENV = {
    "G60_WEBHOOK_BACKOFF_BASE_S": "0.2",
    "G60_WEBHOOK_BACKOFF_MAX_S": "1.0",
    "G60_WEBHOOK_MAX_ATTEMPTS": "6",
    "G60_WEBHOOK_POLL_INTERVAL_S": "0.2",
}


@pytest.fixture(scope="package")
def gateway_platform() -> Iterator[RunningPlatform]:
    base = Path(tempfile.mkdtemp(prefix="g60-gw-e2e-"))
    base.chmod(0o755)  # PostgreSQL runs as its own user
    stack = start_stack(base_dir=base)
    platform = None
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in GATEWAY_TEST_ENV.items():
                patch.setenv(name, value)
            platform = start_platform(stack.pg_dsn, stack.kafka_bootstrap, base / "logs")
        yield RunningPlatform(stack, platform, issue_operator_key(platform))
    finally:
        if platform is not None:
            platform.stop()
        stack.stop()


@pytest.fixture(scope="package")
def receiver() -> Iterator[Receiver]:
    with Receiver.running() as running:
        yield running


@pytest.fixture(scope="package")
def world(gateway_platform: RunningPlatform, receiver: Receiver) -> World:
    return build_world(gateway_platform, receiver)
