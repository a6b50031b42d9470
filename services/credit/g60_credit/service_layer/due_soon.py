"""Due-soon reminders (到期提醒): the sweeper tells the lender (and the line's guarantee
company) that a loan still owing falls due within the notice period.

Once per maturity date: the application records the date it announced
(`due_soon_notified_for`) in the transaction that appends the event, so a crash
before the commit announces nothing and a retry after it finds the loan reminded.
"""

from __future__ import annotations

from datetime import date

from g60_credit.domain import events
from g60_credit.domain.snapshots import application_snapshot
from g60_credit.service_layer.financing_handlers import APPLICATION
from g60_credit.service_layer.handlers import line_parties
from g60_credit.service_layer.idempotent import audit
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

DUE_SOON_SWEEPER_ACTOR = "system:due-soon-sweeper"


async def announce_loans_due_soon(
    uow: CreditUnitOfWork, today: date, notice_days: int, batch_size: int
) -> int:
    """Announces up to `batch_size` loans maturing within `notice_days` days, each once
    per maturity date, with its DUE_SOON audit row and LoanDueSoon event in the same
    transaction. Loans a running command holds (a repayment) are skipped: repaid in
    full, they are no longer due; otherwise the next round takes them. Replicas share
    the work through SKIP LOCKED, so no loan is announced twice."""
    async with uow:
        apps = await uow.applications.due_soon(today, notice_days, batch_size)
        for app in apps:
            before, previous_version = application_snapshot(app), app.version
            days_left = app.announce_due_soon(today, notice_days)
            await uow.applications.update(app, previous_version)
            who = (DUE_SOON_SWEEPER_ACTOR, f"due-soon:{app.maturity_date}")
            after = application_snapshot(app)
            await audit(uow, (APPLICATION, app.application_id), "DUE_SOON", who, before, after)
            line = await uow.lines.get(app.credit_line_id)
            assert line is not None, "a drawn loan's line exists"
            parties = await line_parties(uow, app.bank_id, app.enterprise_id)
            await uow.publish(events.LoanDueSoon(app, parties, line.guarantor_id, days_left))
        await uow.commit()
    return len(apps)
