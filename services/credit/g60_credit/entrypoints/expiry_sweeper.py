"""Background task: expires credit lines whose validity window has ended.

Runs in every replica; FOR UPDATE SKIP LOCKED lets replicas share the work without
expiring a line twice. Each expiry is a CreditLineExpired event on the outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

from prometheus_client import Counter

from g60_credit.domain.calendar import business_date
from g60_credit.service_layer.line_handlers import expire_due_lines
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

log = logging.getLogger(__name__)
LINES_EXPIRED = Counter("g60_credit_lines_expired", "Credit lines expired by the sweeper")
MAX_BATCHES_PER_ROUND = 50  # bounded work per wake-up; the rest waits a round


async def run_expiry_sweeper(
    uow_factory: Callable[[], CreditUnitOfWork],
    clock: Callable[[], datetime],
    interval_s: float,
    batch_size: int,
    stop: asyncio.Event,
) -> None:
    while not stop.is_set():
        try:
            await sweep_once(uow_factory, clock, batch_size)
        except Exception:  # a failed round is retried next round; the task must live on
            log.exception("expiry sweep failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            pass


async def sweep_once(
    uow_factory: Callable[[], CreditUnitOfWork], clock: Callable[[], datetime], batch_size: int
) -> int:
    today = business_date(clock())
    total = 0
    for _ in range(MAX_BATCHES_PER_ROUND):
        expired = await expire_due_lines(uow_factory(), today, batch_size)
        total += expired
        if expired < batch_size:
            break
    LINES_EXPIRED.inc(total)
    return total
