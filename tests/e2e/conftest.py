"""End-to-end fixtures: a fresh stack and the whole platform, driven through the gateway.

A fresh stack per module keeps alliance totals exact for assertions (nothing else has
written to these topics), and costs a few seconds."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from g60common.launcher import Platform, start_platform
from g60common.platform_cli import issue_operator_key
from g60common.stack import Stack, start_stack


@dataclass
class RunningPlatform:
    stack: Stack
    platform: Platform
    operator_key: str


@contextmanager
def running_platform(prefix: str, extra_env: Mapping[str, str] = {}) -> Iterator[RunningPlatform]:
    """A fresh stack and every service, stopped again on exit. `extra_env` reaches the
    services only (test-speed settings such as short webhook backoffs)."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(0o755)  # PostgreSQL runs as its own user
    stack = start_stack(base_dir=base)
    platform = None
    try:
        with pytest.MonkeyPatch.context() as patch:
            for name, value in extra_env.items():
                patch.setenv(name, value)
            platform = start_platform(stack.pg_dsn, stack.kafka_bootstrap, base / "logs")
        yield RunningPlatform(stack, platform, issue_operator_key(platform))
    finally:
        if platform is not None:
            platform.stop()
        stack.stop()


@pytest.fixture(scope="module")
def fresh_platform() -> Iterator[RunningPlatform]:
    with running_platform("g60-e2e-") as running:
        yield running
