"""Members + credit services as real subprocesses against the session stack."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2_grpc
from g60.members.v1 import members_pb2_grpc
from g60common.db import ensure_database
from g60common.launcher import ServiceProcess, platform_env
from g60common.stack import StackEndpoints

from tests.integration.credit.helpers import (
    MIDNIGHT_MARGIN_S,
    CreditWorld,
    seconds_to_shanghai_midnight,
)

# The sweeper runs often so the expiry test does not wait a minute.
SWEEP_INTERVAL_S = "0.5"


@pytest.fixture(autouse=True)
def _not_across_shanghai_midnight() -> None:
    """The tests compare the service's dates (terms, approvals, days past due) with
    today's, both by the Shanghai clock: one that started just before midnight would
    see two dates. Each test takes well under the margin, so one starting this close
    to midnight waits for the new day instead."""
    left_s = seconds_to_shanghai_midnight()
    if left_s < MIDNIGHT_MARGIN_S:
        time.sleep(left_s + 2.0)


@pytest.fixture(scope="session")
def credit_services(
    stack: StackEndpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, ServiceProcess]]:
    for name in ("g60_members", "g60_credit"):
        asyncio.run(ensure_database(stack.pg_dsn, name))
    env = platform_env(stack.pg_dsn, stack.kafka_bootstrap)
    env["G60_CREDIT_EXPIRY_SWEEP_S"] = SWEEP_INTERVAL_S
    env["G60_CREDIT_PG_POOL_MAX"] = "20"
    logs = tmp_path_factory.mktemp("credit-logs")
    services = {
        "members": _service("members", "g60_members", env, logs, "G60_MEMBERS_GRPC_BIND"),
        "credit": _service("credit", "g60_credit", env, logs, "G60_CREDIT_GRPC_BIND"),
    }
    try:
        for service in services.values():
            service.start()
        for service in services.values():
            service.wait_ready()
        yield services
    finally:
        for service in services.values():
            service.stop()


def _service(
    name: str, module: str, env: dict[str, str], logs: Path, bind_key: str
) -> ServiceProcess:
    port = env[bind_key].rsplit(":", 1)[1]
    return ServiceProcess(name, module, env, logs / f"{name}.log", f"grpc:{port}")


@pytest.fixture(scope="session")
async def world(credit_services: dict[str, ServiceProcess]) -> AsyncIterator[CreditWorld]:
    env = credit_services["credit"].env
    credit_channel = grpc.aio.insecure_channel(env["G60_CREDIT_GRPC_TARGET"])
    members_channel = grpc.aio.insecure_channel(env["G60_MEMBERS_GRPC_TARGET"])
    try:
        yield CreditWorld(
            credit=credit_pb2_grpc.CreditServiceStub(credit_channel),
            members=members_pb2_grpc.MembersServiceStub(members_channel),
            services=credit_services,
        )
    finally:
        await credit_channel.close()
        await members_channel.close()


@pytest.fixture
async def db(world: CreditWorld) -> AsyncIterator[asyncpg.Pool]:
    """A pool on the credit database, for backdating rows and calling handlers."""
    pool = await asyncpg.create_pool(
        world.services["credit"].env["G60_CREDIT_PG_DSN"], min_size=1, max_size=6
    )
    try:
        yield pool
    finally:
        await pool.close()
