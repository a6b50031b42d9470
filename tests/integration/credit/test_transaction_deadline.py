"""A drawdown that cannot finish in time (here: another session holds its credit line's
row lock) ends at the unit of work's deadline with UNAVAILABLE, writes nothing, and
frees its connection. Retried with the same request id once the lock is gone, it
applies exactly once."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import asyncpg
import grpc
import pytest
from g60common.launcher import ServiceProcess

from tests.integration.credit.helpers import CreditWorld, code_of, credit_restarted_with, rid

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

DEADLINE_S = 0.5
# More concurrent requests than the pool has connections: had the timed-out
# transactions kept theirs, the later ones would queue until the test's guard.
POOL_MAX = 2
BLOCKED_CALLS = 2 * POOL_MAX


@pytest.fixture
async def short_deadline(world: CreditWorld) -> AsyncIterator[ServiceProcess]:
    """The session's credit service restarted with a short transaction deadline and a
    small request pool; the original is back afterwards."""
    env = {
        "G60_CREDIT_PG_TRANSACTION_TIMEOUT_S": str(DEADLINE_S),
        "G60_CREDIT_PG_POOL_MAX": str(POOL_MAX),
        "G60_CREDIT_PG_POOL_MIN": "1",
    }
    async with credit_restarted_with(world, env) as credit:
        yield credit


async def test_a_drawdown_past_its_deadline_is_unavailable_and_its_retry_applies_once(
    world: CreditWorld, short_deadline: ServiceProcess
) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, 1_000_000)
    app = await world.approved_application(bank, ent, line.credit_line_id, 1_000_000)
    request_ids = [rid() for _ in range(BLOCKED_CALLS)]
    holder = await asyncpg.connect(short_deadline.env["G60_CREDIT_PG_DSN"])
    try:
        await holder.execute("BEGIN")
        await holder.execute(
            "SELECT 1 FROM credit_lines WHERE credit_line_id = $1 FOR UPDATE",
            line.credit_line_id,
        )
        started = time.monotonic()
        outcomes = await asyncio.gather(
            *(
                world.draw(bank, app.application_id, 10_000, request_id)
                for request_id in request_ids
            ),
            return_exceptions=True,
        )
        elapsed_s = time.monotonic() - started
        assert [code_of(outcome) for outcome in outcomes] == [grpc.StatusCode.UNAVAILABLE] * len(
            outcomes
        ), outcomes
        assert "retry with the same request id" in str(outcomes[0])
        # Two waves of deadlines at most: each timed-out transaction gave its
        # connection back for the next request.
        assert elapsed_s < 4 * DEADLINE_S + 2, elapsed_s
    finally:
        await holder.execute("ROLLBACK")
        await holder.close()

    for request_id in request_ids:
        await world.draw(bank, app.application_id, 10_000, request_id)
        await world.draw(bank, app.application_id, 10_000, request_id)  # a replay
    assert (await world.get_line(bank, line.credit_line_id)).utilized_fen == 10_000 * BLOCKED_CALLS
