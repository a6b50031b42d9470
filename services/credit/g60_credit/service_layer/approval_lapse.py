"""Approvals that lapse undrawn (审批有效期): the sweeper closes them.

An approval binds no credit (docs/credit.md), but left open forever it stays drawable
on terms the bank decided long ago; after `valid_days` days with nothing drawn the
platform closes it, as the bank's CloseFinancing would.
"""

from __future__ import annotations

from datetime import date

from g60_credit.domain import events
from g60_credit.domain.snapshots import application_snapshot
from g60_credit.service_layer.financing_handlers import APPLICATION
from g60_credit.service_layer.handlers import line_parties
from g60_credit.service_layer.idempotent import audit
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

APPROVAL_SWEEPER_ACTOR = "system:approval-sweeper"


async def lapse_undrawn_approvals(
    uow: CreditUnitOfWork, today: date, valid_days: int, batch_size: int
) -> int:
    """Closes up to `batch_size` approvals undrawn for more than `valid_days` days, each
    once, with its LAPSE audit row and FinancingClosed event in the same transaction.
    An application a drawdown holds is skipped: drawn, it no longer lapses; refused, the
    next round takes it. A drawdown that waits for the lapse finds it CLOSED
    (ApplicationNotDrawable)."""
    async with uow:
        apps = await uow.applications.due_to_lapse(today, valid_days, batch_size)
        for app in apps:
            before, previous_version = application_snapshot(app), app.version
            app.lapse(today, valid_days)
            await uow.applications.update(app, previous_version)
            who = (APPROVAL_SWEEPER_ACTOR, f"lapse:{app.approved_on}")
            after = application_snapshot(app)
            await audit(uow, (APPLICATION, app.application_id), "LAPSE", who, before, after)
            parties = await line_parties(uow, app.bank_id, app.enterprise_id)
            reason = f"the approval lapsed undrawn after {valid_days} days"
            await uow.publish(events.FinancingClosed(app, parties, reason))
        await uow.commit()
    return len(apps)
