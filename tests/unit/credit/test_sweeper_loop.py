"""The sweeper's loop: a failed round is counted and retried, the task lives on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from g60_credit.entrypoints import expiry_sweeper

from tests.unit.credit.credit_fakes import FakeUnitOfWork


async def test_a_failed_round_is_counted_and_the_next_round_runs() -> None:
    rounds = 0
    stop = asyncio.Event()

    def uow_factory() -> FakeUnitOfWork:
        nonlocal rounds
        rounds += 1
        if rounds == 1:
            raise ConnectionError("database away")
        stop.set()  # the second round reached the database: enough
        return FakeUnitOfWork()

    before = expiry_sweeper.SWEEP_FAILURES._value.get()
    await asyncio.wait_for(
        expiry_sweeper.run_expiry_sweeper(
            uow_factory,  # type: ignore[arg-type]
            lambda: datetime(2026, 6, 1, tzinfo=UTC),
            interval_s=0.01,
            batch_size=10,
            stop=stop,
            approval_valid_days=90,
            due_soon_days=7,
        ),
        timeout=5,
    )
    assert expiry_sweeper.SWEEP_FAILURES._value.get() == before + 1
    assert rounds >= 2
