"""Loan extension (展期): the lending bank moves a loan's maturity date once, before it
falls due (FinancingApplication.extend)."""

from __future__ import annotations

from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import business_date
from g60_credit.domain.errors import ApplicationNotFound, InvalidFields
from g60_credit.domain.snapshots import application_snapshot
from g60_credit.service_layer.commands import ExtendLoan
from g60_credit.service_layer.financing_handlers import (
    APPLICATION,
    APPLICATION_CODEC,
    MAX_TERM_MONTHS,
)
from g60_credit.service_layer.handlers import bank_caller, line_parties
from g60_credit.service_layer.idempotent import audit, run_idempotent
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork


async def extend_loan(cmd: ExtendLoan, uow: CreditUnitOfWork) -> FinancingApplication:
    """Only the lending bank (anyone else: ApplicationNotFound, as for a missing id);
    idempotent per bank and request id. The row lock orders it against repayments and
    the sweeper: an extension that waits for the overdue mark finds the loan overdue
    (LoanOverdue); a sweeper that meets the extension's lock skips the loan, and the
    next round finds it no longer due. Refusals write nothing."""
    if not 1 <= cmd.months <= MAX_TERM_MONTHS:
        raise InvalidFields({"months": f"must be 1 to {MAX_TERM_MONTHS}"})

    async def change() -> FinancingApplication:
        app = await uow.applications.get_for_update(cmd.application_id)
        if app is None or not app.is_visible_to_bank(cmd.bank_id):
            raise ApplicationNotFound(cmd.application_id)
        if app.bank_id and app.bank_id != cmd.bank_id:
            raise ApplicationNotFound(cmd.application_id)  # a bank that lost: not its loan
        before, previous_version = application_snapshot(app), app.version
        previous_maturity = app.extend(cmd.months, business_date(uow.now()))
        await uow.applications.update(app, previous_version)
        who = (bank_caller(cmd.bank_id), cmd.request_id)
        after = application_snapshot(app)
        await audit(uow, (APPLICATION, app.application_id), "EXTEND", who, before, after)
        line = await uow.lines.get(app.credit_line_id)
        assert line is not None, "a drawn loan's line exists"
        parties = await line_parties(uow, cmd.bank_id, app.enterprise_id)
        await uow.publish(
            events.LoanExtended(
                app, parties, line.guarantor_id, previous_maturity, app.extended_months
            )
        )
        return app

    app = await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, APPLICATION_CODEC)
    return app.as_seen_by_bank(cmd.bank_id)
