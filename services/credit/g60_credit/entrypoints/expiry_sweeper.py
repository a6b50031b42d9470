"""Background task: expires credit lines whose validity window has ended, marks loans
with principal outstanding past maturity as overdue (逾期), moves late loans down the
five risk tiers (贷款五级分类) as their days past due cross the floors, closes approvals
left undrawn past their validity (审批有效期), and announces loans falling due soon
(到期提醒).

Runs in every replica; FOR UPDATE SKIP LOCKED lets replicas share the work without
expiring a line, marking or reclassifying a loan, closing an approval or announcing a
maturity twice. Each expiry is a CreditLineExpired event on the outbox, each late loan a
LoanOverdue, each move down a LoanReclassified, each lapse a FinancingClosed, each
reminder a LoanDueSoon.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from prometheus_client import Counter

from g60_credit.domain.calendar import business_date
from g60_credit.domain.risk import RiskClass
from g60_credit.service_layer.approval_lapse import lapse_undrawn_approvals
from g60_credit.service_layer.due_soon import announce_loans_due_soon
from g60_credit.service_layer.financing_handlers import mark_overdue_loans
from g60_credit.service_layer.line_handlers import expire_due_lines
from g60_credit.service_layer.risk_classification import reclassify_loans
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

log = logging.getLogger(__name__)
LINES_EXPIRED = Counter("g60_credit_lines_expired", "Credit lines expired by the sweeper")
LOANS_OVERDUE = Counter("g60_credit_loans_overdue", "Loans marked overdue by the sweeper")
LOANS_RECLASSIFIED = Counter(
    "g60_credit_loans_reclassified",
    "Loans the sweeper moved down the five risk tiers, by the class they moved to",
    ["to"],
)
APPROVALS_LAPSED = Counter(
    "g60_credit_approvals_lapsed", "Undrawn approvals closed by the sweeper once they lapsed"
)
LOANS_DUE_SOON = Counter(
    "g60_credit_loans_due_soon", "Loans announced as falling due soon by the sweeper"
)
SWEEP_FAILURES = Counter(
    "g60_credit_sweep_failures", "Sweeper rounds that failed (retried the next round)"
)
MAX_BATCHES_PER_ROUND = 50  # bounded work per wake-up; the rest waits a round


async def run_expiry_sweeper(
    uow_factory: Callable[[], CreditUnitOfWork],
    clock: Callable[[], datetime],
    interval_s: float,
    batch_size: int,
    stop: asyncio.Event,
    *,
    approval_valid_days: int,
    due_soon_days: int,
) -> None:
    while not stop.is_set():
        try:
            await sweep_once(uow_factory, clock, batch_size, approval_valid_days, due_soon_days)
        except Exception:  # a failed round is retried next round; the task must live on
            SWEEP_FAILURES.inc()
            log.exception("expiry sweep failed")
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        except TimeoutError:
            pass


async def sweep_once(
    uow_factory: Callable[[], CreditUnitOfWork],
    clock: Callable[[], datetime],
    batch_size: int,
    approval_valid_days: int,
    due_soon_days: int,
) -> tuple[int, int, int, int, int]:
    """Returns (lines expired, loans marked overdue, loans reclassified, approvals
    lapsed, loans announced due soon). Loans are reclassified right after the marks, so
    a loan found 400 days late is marked (SPECIAL_MENTION) and moved to LOSS in the same
    round; overdue marks come before reminders: a loan past maturity gets no reminder."""
    today = business_date(clock())
    expired = await _in_batches(
        lambda: expire_due_lines(uow_factory(), today, batch_size), batch_size
    )
    LINES_EXPIRED.inc(expired)
    overdue = await _in_batches(
        lambda: mark_overdue_loans(uow_factory(), today, batch_size), batch_size
    )
    LOANS_OVERDUE.inc(overdue)
    reclassified = await _reclassify(uow_factory, today, batch_size)
    lapsed = await _in_batches(
        lambda: lapse_undrawn_approvals(uow_factory(), today, approval_valid_days, batch_size),
        batch_size,
    )
    APPROVALS_LAPSED.inc(lapsed)
    due_soon = await _in_batches(
        lambda: announce_loans_due_soon(uow_factory(), today, due_soon_days, batch_size),
        batch_size,
    )
    LOANS_DUE_SOON.inc(due_soon)
    return expired, overdue, reclassified, lapsed, due_soon


async def _reclassify(
    uow_factory: Callable[[], CreditUnitOfWork], today: date, batch_size: int
) -> int:
    moved_to: list[RiskClass] = []

    async def batch() -> int:
        moved = await reclassify_loans(uow_factory(), today, batch_size)
        moved_to.extend(moved)
        return len(moved)

    try:
        return await _in_batches(batch, batch_size)
    finally:  # batches committed before a failure count too
        for risk_class in moved_to:
            LOANS_RECLASSIFIED.labels(to=risk_class.value).inc()


async def _in_batches(batch: Callable[[], Awaitable[int]], batch_size: int) -> int:
    """Batches (each its own transaction) until one comes back short: the work is done
    for today. Bounded per round."""
    total = 0
    for _ in range(MAX_BATCHES_PER_ROUND):
        done = await batch()
        total += done
        if done < batch_size:
            break
    return total
