"""Fixtures for the members integration tests: the members service (and, for the
read-model test, the credit service) as real subprocesses on the session stack."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import asyncpg
import grpc
import pytest
import pytest_asyncio
from g60.members.v1 import members_pb2_grpc
from g60common.db import ensure_database
from g60common.launcher import ServiceProcess, platform_env
from g60common.stack import StackEndpoints
from members_helpers import service_process


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def members_env(stack: StackEndpoints) -> dict[str, str]:
    for name in ("g60_members", "g60_credit"):
        await ensure_database(stack.pg_dsn, name)
    env = platform_env(stack.pg_dsn, stack.kafka_bootstrap)
    env["G60_MEMBERS_GAUGE_REFRESH_S"] = "0.5"
    return env


@pytest.fixture(scope="session")
def members_service(
    members_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    service = service_process(members_env, "members", tmp_path_factory.mktemp("logs"))
    service.start()
    try:
        service.wait_ready()
        yield service
    finally:
        service.stop()


@pytest.fixture(scope="session")
def members_target(members_service: ServiceProcess, members_env: dict[str, str]) -> str:
    return members_env["G60_MEMBERS_GRPC_TARGET"]


@pytest_asyncio.fixture(loop_scope="session")
async def members(members_target: str) -> AsyncIterator[members_pb2_grpc.MembersServiceStub]:
    async with grpc.aio.insecure_channel(members_target) as channel:
        yield members_pb2_grpc.MembersServiceStub(channel)


@pytest_asyncio.fixture(loop_scope="session")
async def members_db(members_env: dict[str, str]) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(members_env["G60_MEMBERS_PG_DSN"])
    try:
        yield conn
    finally:
        await conn.close()
