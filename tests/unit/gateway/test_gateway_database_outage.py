"""The gateway's own database down, refusing, dropping connections or stalled: every
request that needs it is a 503 problem+json with Retry-After within the request pool's
deadline, never a 500 or a wait without end. Fake pools and connections raise each
kind of failure; local sockets stand in for a refusing and a stalled server."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg
import httpx
import pytest
from g60_gateway.adapters.database import DatabaseUnavailable, RequestPool
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.rate_limit import RateLimiter
from g60_gateway.entrypoints.app import create_app

X = asyncpg.exceptions
OUTAGES: list[BaseException] = [
    ConnectionRefusedError(111, "Connection refused"),
    ConnectionResetError(104, "Connection reset by peer"),
    X.CannotConnectNowError("the database system is starting up"),
    X.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    X.ConnectionFailureError("connection failure"),
    X.AdminShutdownError("terminating connection due to administrator command"),
    X.OperatorInterventionError("operator intervention"),
    X.TooManyConnectionsError("sorry, too many clients already"),
    asyncpg.InterfaceError("connection is closed"),
    X.InternalClientError("unexpected error while performing authentication"),
    TimeoutError(),
    X.QueryCanceledError("canceling statement due to statement timeout"),
]
API_KEY = "g60_abcdef0123456789_secret"


class FakeConnection:
    def __init__(self, answer: Callable[[str, tuple[Any, ...]], Any]) -> None:
        self.answer = answer
        self.terminated = False

    async def _run(self, query: str, args: tuple[Any, ...]) -> Any:
        result = self.answer(query, args)
        if isinstance(result, BaseException):
            raise result
        if asyncio.iscoroutine(result):
            return await result
        return result

    async def fetchrow(self, query: str, *args: Any) -> Any:
        return await self._run(query, args)

    async def fetch(self, query: str, *args: Any) -> Any:
        return await self._run(query, args)

    async def fetchval(self, query: str, *args: Any) -> Any:
        return await self._run(query, args)

    async def execute(self, query: str, *args: Any) -> Any:
        return await self._run(query, args)

    def transaction(self) -> Any:
        return _NoTransaction()

    def terminate(self) -> None:
        self.terminated = True


class _NoTransaction:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> None:
        return None


class FakePool:
    def __init__(self, conn: FakeConnection, refuse: BaseException | None = None) -> None:
        self.conn, self.refuse = conn, refuse
        self.released: list[FakeConnection] = []

    async def acquire(self) -> FakeConnection:
        if self.refuse is not None:
            raise self.refuse
        return self.conn

    async def release(self, conn: FakeConnection, **options: float | None) -> None:
        self.released.append(conn)

    async def close(self) -> None:
        return None


def _failing(exc: BaseException) -> Callable[[str, tuple[Any, ...]], Any]:
    return lambda query, args: exc


async def _forever() -> None:
    await asyncio.Event().wait()


@pytest.mark.parametrize("exc", OUTAGES, ids=lambda e: type(e).__name__)
async def test_a_connection_that_cannot_be_had_is_database_unavailable(exc: BaseException) -> None:
    pool = RequestPool(FakePool(FakeConnection(_failing(exc)), refuse=exc), deadline_s=1.0)
    with pytest.raises(DatabaseUnavailable):
        await pool.fetchrow("SELECT 1")


async def test_any_refusal_while_connecting_is_database_unavailable() -> None:
    # ALTER DATABASE … ALLOW_CONNECTIONS false answers 55000, bad credentials 28P01.
    refused = X.ObjectNotInPrerequisiteStateError("database is not accepting connections")
    pool = RequestPool(FakePool(FakeConnection(_failing(refused)), refuse=refused), 1.0)
    with pytest.raises(DatabaseUnavailable):
        await pool.execute("SELECT 1")


@pytest.mark.parametrize("exc", OUTAGES, ids=lambda e: type(e).__name__)
async def test_a_statement_cut_off_is_database_unavailable_and_its_connection_closed(
    exc: BaseException,
) -> None:
    conn = FakeConnection(_failing(exc))
    fake = FakePool(conn)
    with pytest.raises(DatabaseUnavailable):
        await RequestPool(fake, deadline_s=1.0).fetchrow("SELECT 1")
    assert conn.terminated and fake.released == [conn]


async def test_a_statement_error_of_its_own_passes_unchanged_on_a_healthy_connection() -> None:
    conn = FakeConnection(_failing(X.UniqueViolationError("duplicate key")))
    fake = FakePool(conn)
    with pytest.raises(X.UniqueViolationError):
        async with RequestPool(fake, 1.0).acquire() as acquired:
            await acquired.execute("INSERT …")
    assert not conn.terminated and fake.released == [conn]


async def test_waiting_for_a_connection_ends_at_the_deadline() -> None:
    class Exhausted(FakePool):
        async def acquire(self) -> FakeConnection:
            await _forever()
            raise AssertionError

    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable):
        await RequestPool(Exhausted(FakeConnection(_failing(TimeoutError()))), 0.2).fetch("")
    assert time.monotonic() - started < 1.0


async def test_a_stalled_statement_ends_at_the_deadline() -> None:
    conn = FakeConnection(lambda query, args: _forever())
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable):
        await RequestPool(FakePool(conn), 0.2).fetchval("SELECT 1")
    assert time.monotonic() - started < 1.0 and conn.terminated


async def _real_pool(port: int) -> asyncpg.Pool:
    pool = await asyncpg.create_pool(
        f"postgresql://g60@127.0.0.1:{port}/g60_gateway", min_size=0, max_size=2
    )
    assert pool is not None
    return pool


async def test_a_refusing_server_is_database_unavailable_at_once() -> None:
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    server.close()
    await server.wait_closed()  # nothing listens on the port any more
    pool = RequestPool(await _real_pool(port), 2.0)
    with pytest.raises(DatabaseUnavailable, match="ConnectionRefusedError"):
        await pool.fetchval("SELECT 1")


async def test_a_server_that_accepts_and_never_answers_is_bounded_by_the_deadline() -> None:
    # What a SIGSTOPped PostgreSQL looks like: the kernel accepts, nobody answers.
    held: list[asyncio.StreamWriter] = []
    server = await asyncio.start_server(lambda r, w: held.append(w), "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    started = time.monotonic()
    try:
        with pytest.raises(DatabaseUnavailable):
            await RequestPool(await _real_pool(port), 0.5).fetchval("SELECT 1")
        assert time.monotonic() - started < 2.0
    finally:
        for writer in held:
            writer.close()
        server.close()


# Through the whole gateway: authentication, the Idempotency-Key claim and its release.


@pytest.fixture
async def gateway() -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(GatewaySettings.from_env({}))
    app.state.rate_limiter = RateLimiter(50.0, 100)
    app.state.deadline_s = 5.0
    app.state.idempotency_wait_s = 0.0
    app.state.members = None  # an operator label is looked up nowhere
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield app, client


def _assert_503(reply: httpx.Response) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.headers["content-type"] == "application/problem+json"
    assert reply.headers["retry-after"] == "1"
    correlation_id = reply.headers["x-correlation-id"]
    assert correlation_id in reply.json()["detail"]
    assert "asyncpg" not in reply.text and "Error" not in reply.text


@pytest.mark.parametrize("exc", OUTAGES, ids=lambda e: type(e).__name__)
async def test_authentication_on_a_database_in_trouble_is_503(
    gateway: tuple[Any, httpx.AsyncClient], exc: BaseException, caplog: pytest.LogCaptureFixture
) -> None:
    app, client = gateway
    app.state.pool = RequestPool(FakePool(FakeConnection(_failing(exc))), 1.0)
    with caplog.at_level(logging.WARNING):
        reply = await client.get("/v1/me", headers={"x-api-key": API_KEY})
    _assert_503(reply)
    logged = [r for r in caplog.records if "database unavailable" in r.getMessage()]
    assert len(logged) == 1  # once, not once per layer


@pytest.mark.parametrize("exc", OUTAGES[:3], ids=lambda e: type(e).__name__)
async def test_claiming_an_idempotency_key_on_a_database_in_trouble_is_503(
    gateway: tuple[Any, httpx.AsyncClient], exc: BaseException
) -> None:
    app, client = gateway
    app.state.pool = RequestPool(FakePool(FakeConnection(_failing(exc)), refuse=exc), 1.0)
    reply = await client.post(
        "/v1/credentials",
        json={"principal_type": "operator", "principal_id": "office", "scopes": []},
        headers={"x-api-key": API_KEY, "idempotency-key": "k-1"},
    )
    _assert_503(reply)


def _operator_row() -> dict[str, Any]:
    return {"principal_type": "operator", "principal_id": "office", "scopes": [], "mine": True}


async def test_a_release_that_fails_too_leaves_the_503_a_503(
    gateway: tuple[Any, httpx.AsyncClient],
) -> None:
    """Authentication claims the key, then the database goes: the write fails, and so
    does giving the claim up. The answer is still the 503, not a 500."""
    app, client = gateway
    lost = X.ConnectionDoesNotExistError("connection was closed in the middle of operation")

    def answer(query: str, args: tuple[Any, ...]) -> Any:
        return _operator_row() if "WITH credential" in query else lost

    app.state.pool = RequestPool(FakePool(FakeConnection(answer)), 1.0)
    reply = await client.post(
        "/v1/credentials",
        json={"principal_type": "operator", "principal_id": "office", "scopes": []},
        headers={"x-api-key": API_KEY, "idempotency-key": "k-2"},
    )
    _assert_503(reply)


async def test_a_request_in_progress_says_when_its_claim_can_be_taken_over(
    gateway: tuple[Any, httpx.AsyncClient],
) -> None:
    """A claim left behind (its release failed while the database was down) holds until
    its lease ends: the 409 says how long that is."""
    app, client = gateway
    claimed: list[bytes] = []

    def answer(query: str, args: tuple[Any, ...]) -> Any:
        if "WITH credential" in query:  # authenticated; another request holds the key
            claimed.append(args[3])
            return {**_operator_row(), "mine": False}
        if "INSERT" in query:  # the claim's retry: still held
            return None
        return {"fingerprint": claimed[0], "status": None, "body": None, "lease_left_s": 12.3}

    app.state.pool = RequestPool(FakePool(FakeConnection(answer)), 1.0)
    reply = await client.post(
        "/v1/credentials",
        json={"principal_type": "operator", "principal_id": "office", "scopes": []},
        headers={"x-api-key": API_KEY, "idempotency-key": "k-3"},
    )
    assert reply.status_code == 409, reply.text
    assert reply.headers["retry-after"] == "13"
