"""Aggregator integration fixtures: a fresh stack per module (the credit topic then
holds only what the module produced, so totals can be asserted exactly) and
aggregator workers as real subprocesses."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from g60common.launcher import ServiceProcess
from g60common.stack import Stack, start_stack
from g60common.stack.ports import find_free_ports


@pytest.fixture(scope="module")
def fresh_stack() -> Iterator[Stack]:
    yield from _stack()


@pytest.fixture
def own_stack() -> Iterator[Stack]:
    """A stack for one test, when parametrized runs must not see each other's events."""
    yield from _stack()


def _stack() -> Iterator[Stack]:
    base = Path(tempfile.mkdtemp(prefix="g60-agg-"))
    base.chmod(0o755)  # PostgreSQL runs as its own user
    stack = start_stack(base_dir=base)
    try:
        yield stack
    finally:
        stack.stop()


class Workers:
    """Starts aggregator workers of one app id; stops them all at the end."""

    def __init__(self, bootstrap: str, logs: Path, extra_env: dict[str, str] | None = None):
        self.app_id = f"agg-test-{uuid.uuid4().hex[:8]}"
        self.bootstrap = bootstrap
        self.logs = logs
        self.extra_env = extra_env or {}
        self.started: list[ServiceProcess] = []

    def start(self, name: str) -> ServiceProcess:
        (port,) = find_free_ports(1)
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "G60_KAFKA_BOOTSTRAP": self.bootstrap,
            "G60_AGGREGATOR_APP_ID": self.app_id,
            "G60_AGGREGATOR_WEB_PORT": str(port),
            "G60_AGGREGATOR_DATA_DIR": str(self.logs / f"data-{name}-{port}"),
            "G60_AGGREGATOR_TOTALS_TOPIC": f"{self.app_id}-totals",
            **self.extra_env,
        }
        url = f"http://127.0.0.1:{port}"
        worker = ServiceProcess(
            name, "g60_aggregator", env, self.logs / f"{name}.log", f"http:{url}/healthz"
        )
        worker.start()
        self.started.append(worker)
        worker.wait_ready()
        return worker

    def stop_all(self) -> None:
        for worker in self.started:
            worker.stop()


@pytest.fixture(params=["at_least_once"])
def workers(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Workers]:
    """Workers with the processing guarantee given by the parameter (tests may
    parametrize it indirectly); exactness must not depend on it."""
    guarantee = {"G60_AGGREGATOR_PROCESSING_GUARANTEE": request.param}
    # Whichever stack the test uses (module-wide or its own).
    name = "own_stack" if "own_stack" in request.fixturenames else "fresh_stack"
    stack: Stack = request.getfixturevalue(name)
    pool = Workers(stack.kafka_bootstrap, tmp_path, guarantee)
    try:
        yield pool
    finally:
        pool.stop_all()


def url_of(worker: ServiceProcess) -> str:
    return f"http://127.0.0.1:{worker.env['G60_AGGREGATOR_WEB_PORT']}"
