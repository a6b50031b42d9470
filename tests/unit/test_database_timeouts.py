"""Both gRPC services answer a transaction that ran out of time, on either side, with
UNAVAILABLE and a message that says a retry with the same request id is safe."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import grpc
import pytest
from g60_credit.entrypoints.status_mapping import abort_for as credit_abort_for
from g60_members.entrypoints.grpc_translation import abort_for as members_abort_for
from g60common.db import DATABASE_TIMEOUT_MESSAGE, DATABASE_UNAVAILABLE_MESSAGE


class _Aborted(Exception):
    pass


class _FakeContext:
    def __init__(self) -> None:
        self.status: tuple[grpc.StatusCode, str] | None = None

    async def abort(self, code: grpc.StatusCode, details: str = "") -> None:
        self.status = (code, details)
        raise _Aborted


TIMEOUTS = [
    TimeoutError(),
    asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"),
    asyncpg.exceptions.IdleInTransactionSessionTimeoutError("idle-in-transaction timeout"),
]


@pytest.mark.parametrize("abort_for", [credit_abort_for, members_abort_for])
@pytest.mark.parametrize("exc", TIMEOUTS, ids=lambda exc: type(exc).__name__)
async def test_a_database_timeout_is_unavailable(
    abort_for: Callable[[Any, Exception], Awaitable[None]], exc: Exception
) -> None:
    context = _FakeContext()
    with pytest.raises(_Aborted):
        await abort_for(context, exc)
    assert context.status == (grpc.StatusCode.UNAVAILABLE, DATABASE_TIMEOUT_MESSAGE)


UNREACHABLE = [
    ConnectionRefusedError(111, "Connection refused"),
    asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle"),
    asyncpg.exceptions.InterfaceError("connection is closed"),
    asyncpg.exceptions.InternalClientError("cannot switch to state 15"),
]


@pytest.mark.parametrize("abort_for", [credit_abort_for, members_abort_for])
@pytest.mark.parametrize("exc", UNREACHABLE, ids=lambda exc: type(exc).__name__)
async def test_a_lost_database_is_unavailable_not_internal(
    abort_for: Callable[[Any, Exception], Awaitable[None]], exc: Exception
) -> None:
    """A restart or an outage of PostgreSQL: the client retries, with the same id."""
    context = _FakeContext()
    with pytest.raises(_Aborted):
        await abort_for(context, exc)
    assert context.status == (grpc.StatusCode.UNAVAILABLE, DATABASE_UNAVAILABLE_MESSAGE)
