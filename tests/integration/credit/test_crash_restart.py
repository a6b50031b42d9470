"""SIGKILL the credit service right after a burst of commits: after a restart every
committed change is on Kafka exactly once."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from tests.integration.credit.helpers import (
    CreditWorld,
    restart_credit,
)
from tests.integration.credit.outbox_checks import (
    assert_exactly_once,
    committed_versions,
    events_on_kafka,
    unpublished,
)

pytestmark = pytest.mark.integration

BURST = 80
KILL_AFTER_REPLIES = 25


@pytest.mark.parametrize("hold_relay", [True, False], ids=["relay-held", "relay-running"])
async def test_every_committed_change_reaches_kafka_once_after_sigkill(
    world: CreditWorld, hold_relay: bool
) -> None:
    """relay-held: a lock on the relay's batch counter stalls it, so the kill lands
    certainly between commit and publish. relay-running: the kill lands wherever the
    relay happens to be."""
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, 10_000_000)
    app = await world.approved_application(bank, ent, line.credit_line_id, 10_000_000)
    aggregates = {line.credit_line_id, app.application_id}
    blocker = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        if hold_relay:
            await blocker.execute("BEGIN; LOCK TABLE outbox_relay_state IN EXCLUSIVE MODE")
        await _burst_then_kill(world, app.application_id, bank)
        if hold_relay:
            assert await unpublished(blocker, aggregates) >= KILL_AFTER_REPLIES
            await blocker.execute("ROLLBACK")
    finally:
        await blocker.close()
    await restart_credit(world)

    committed = await committed_versions(world, aggregates)
    assert len(committed) >= KILL_AFTER_REPLIES
    seen = await events_on_kafka(world, aggregates, len(committed))
    assert_exactly_once(committed, seen)


async def _burst_then_kill(world: CreditWorld, application_id: str, bank: str) -> None:
    tasks = [asyncio.create_task(world.draw(bank, application_id, 1_000)) for _ in range(BURST)]
    for replied, reply in enumerate(asyncio.as_completed(tasks), start=1):
        await asyncio.gather(reply, return_exceptions=True)
        if replied == KILL_AFTER_REPLIES:
            break
    world.services["credit"].kill()
    await asyncio.gather(*tasks, return_exceptions=True)
