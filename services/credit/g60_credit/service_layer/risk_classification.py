"""Five-tier risk classification (贷款五级分类): the sweeper moves late loans down.

The overdue mark makes a loan SPECIAL_MENTION; this step, run right after it, moves each
loan still owing to the class its days past due require (domain.risk), never up. One
transaction per batch, each loan with its new version, RECLASSIFY audit row and
LoanReclassified event. Rows are taken FOR UPDATE SKIP LOCKED, so replicas share the
work and no transition is announced twice; a repayment holding a row makes the sweeper
skip it, and the next round finds it repaid (it then never moves) or still owing.
"""

from __future__ import annotations

from datetime import date

from g60_credit.domain import events
from g60_credit.domain.risk import RiskClass
from g60_credit.domain.snapshots import application_snapshot
from g60_credit.service_layer.financing_handlers import APPLICATION
from g60_credit.service_layer.handlers import line_parties
from g60_credit.service_layer.idempotent import audit
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

RISK_SWEEPER_ACTOR = "system:risk-sweeper"


async def reclassify_loans(uow: CreditUnitOfWork, today: date, batch_size: int) -> list[RiskClass]:
    """Moves down up to `batch_size` loans whose days past due put them in a worse
    class, each in one step (400 days late: straight to LOSS). Returns the class each
    moved to, for the metric."""
    moved: list[RiskClass] = []
    async with uow:
        for app in await uow.applications.due_for_reclassification(today, batch_size):
            before, previous_version = application_snapshot(app), app.version
            previous_class = app.reclassify(today)
            await uow.applications.update(app, previous_version)
            who = (RISK_SWEEPER_ACTOR, f"reclassify:{app.maturity_date}:{app.risk_class}")
            after = application_snapshot(app)
            await audit(uow, (APPLICATION, app.application_id), "RECLASSIFY", who, before, after)
            line = await uow.lines.get(app.credit_line_id)
            assert line is not None, "a drawn loan's line exists"
            parties = await line_parties(uow, app.bank_id, app.enterprise_id)
            days = app.days_past_due(today)
            await uow.publish(
                events.LoanReclassified(app, parties, line.guarantor_id, previous_class, days)
            )
            moved.append(app.risk_class)
        await uow.commit()
    return moved
