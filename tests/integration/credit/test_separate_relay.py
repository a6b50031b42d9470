"""G60_CREDIT_OUTBOX_RELAY=separate: the service only appends to the outbox and
`python -m g60_credit.outbox_relay` publishes. SIGKILL the relay process in a burst of
drawdowns: nothing is published while it is down, and after a restart every committed
change is on Kafka exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from g60common.launcher import ServiceProcess
from g60common.stack.ports import find_free_ports

from tests.integration.credit.helpers import CreditWorld, credit_restarted_with
from tests.integration.credit.outbox_checks import (
    assert_exactly_once,
    committed_versions,
    events_on_kafka,
    unpublished,
)

pytestmark = pytest.mark.integration

BURST = 60
KILL_AFTER_REPLIES = 20
# Several relay rounds (batch interval 0.25 s, idle poll 1 s): long enough that an
# in-process relay, had the service kept one, would have published.
RELAY_DOWN_S = 2.5


@pytest.fixture
async def separate_relay(world: CreditWorld) -> AsyncIterator[ServiceProcess]:
    """The session's credit service restarted without its relay, plus the relay process;
    the in-process original is back afterwards."""
    original = world.services["credit"]
    port = find_free_ports(1)[0]
    env = {"G60_CREDIT_OUTBOX_RELAY": "separate", "G60_CREDIT_RELAY_METRICS_PORT": str(port)}
    relay_log = original.log_path.with_name("credit-relay.log")
    metrics = f"http:http://127.0.0.1:{port}/metrics"
    relay_env = {**original.env, **env}
    relay = ServiceProcess("credit-relay", "g60_credit.outbox_relay", relay_env, relay_log, metrics)
    async with credit_restarted_with(world, env, companions=[relay]):
        yield relay


async def test_the_relay_process_publishes_every_commit_once_across_a_sigkill(
    world: CreditWorld, separate_relay: ServiceProcess
) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, 10_000_000)
    app = await world.approved_application(bank, ent, line.credit_line_id, 10_000_000)
    aggregates = {line.credit_line_id, app.application_id}
    tasks = [asyncio.create_task(world.draw(bank, app.application_id, 1_000)) for _ in range(BURST)]
    for replied, reply in enumerate(asyncio.as_completed(tasks), start=1):
        await asyncio.gather(reply, return_exceptions=True)
        if replied == KILL_AFTER_REPLIES:
            separate_relay.kill()
            break
    await asyncio.gather(*tasks, return_exceptions=True)
    for _ in range(3):  # certainly committed while no relay runs
        await world.draw(bank, app.application_id, 1_000)
    await asyncio.sleep(RELAY_DOWN_S)
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        assert await unpublished(conn, aggregates) >= 3, "the service published by itself"
    finally:
        await conn.close()

    separate_relay.start()
    await asyncio.to_thread(separate_relay.wait_ready)
    committed = await committed_versions(world, aggregates)
    assert len(committed) >= KILL_AFTER_REPLIES
    assert_exactly_once(committed, await events_on_kafka(world, aggregates, len(committed)))
