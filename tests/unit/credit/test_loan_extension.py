"""Loan extension (展期): how long by term (贷款通则 art. 12), the rule's refusals, the
new maturity date and a fresh due-soon reminder for it, no tranche after it, what a bank
that lost sees, and the handler over the fakes (event, audit, idempotency, only the
lender, refusals write nothing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from g60_credit.domain import errors, events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import add_months
from g60_credit.domain.loan_term import max_extension_months
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot
from g60_credit.service_layer import money_handlers
from g60_credit.service_layer.commands import ExtendLoan, MoveFunds
from g60_credit.service_layer.extension_handlers import extend_loan
from g60common.idempotency import IdempotencyConflict
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.credit.credit_fakes import FakeDirectory, FakeUnitOfWork
from tests.unit.credit.test_credit_handlers import BANK, _approved, _world
from tests.unit.credit.test_financing_application import TODAY, _app, _line

MATURITY = add_months(TODAY, 12)
OTHER_BANK = "00000000-0000-0000-0000-0000000000b2"


def _drawn(amount_fen: int = 100_000) -> FinancingApplication:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(amount_fen, 0, TODAY)
    return app


@pytest.mark.parametrize(
    ("term", "limit"),
    [(1, 1), (6, 6), (12, 12), (13, 6), (24, 12), (60, 30), (61, 36), (360, 36)],
)
def test_the_longest_extension_follows_the_loan_s_term(term: int, limit: int) -> None:
    assert max_extension_months(term) == limit


@given(st.integers(min_value=1, max_value=360))
def test_an_extension_is_never_longer_than_the_original_term(term: int) -> None:
    assert 1 <= max_extension_months(term) <= term


def test_an_extension_moves_the_maturity_date_once_and_announces_afresh() -> None:
    app = _drawn()
    app.announce_due_soon(MATURITY - timedelta(days=2), 7)
    version = app.version
    assert app.extend(6, MATURITY - timedelta(days=1)) == MATURITY
    assert (app.maturity_date, app.extended_months) == (add_months(MATURITY, 6), 6)
    assert (app.version, app.due_soon_notified_for) == (version + 1, None)
    assert app.is_due_soon(add_months(MATURITY, 6) - timedelta(days=7), 7)
    with pytest.raises(errors.AlreadyExtended):
        app.extend(1, MATURITY)


def test_the_maturity_date_itself_is_the_last_day_to_extend() -> None:
    on_the_day = _drawn()
    on_the_day.extend(12, MATURITY)
    assert on_the_day.maturity_date == add_months(MATURITY, 12)
    late = _drawn()
    with pytest.raises(errors.LoanMatured):
        late.extend(1, MATURITY + timedelta(days=1))  # not marked yet, but late
    late.mark_overdue(MATURITY + timedelta(days=1))
    with pytest.raises(errors.LoanOverdue):
        late.extend(1, MATURITY + timedelta(days=1))


def test_an_extension_from_a_clamped_month_end_runs_from_that_date() -> None:
    app = replace(_app(), term_months=1)
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(100, 0, date(2027, 1, 31))
    assert app.maturity_date == date(2027, 2, 28)
    app.extend(1, date(2027, 2, 1))
    assert app.maturity_date == date(2027, 3, 28)  # calendar.add_months from 28 February


def test_refusals_leave_the_loan_as_it_was() -> None:
    undrawn = _app()
    undrawn.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    with pytest.raises(errors.LoanNotDisbursed):
        undrawn.extend(1, TODAY)
    repaid = _drawn()
    repaid.record_repayment(100_000, 0)
    with pytest.raises(errors.LoanNotDisbursed):
        repaid.extend(1, TODAY)
    app = _drawn()
    before = application_snapshot(app)
    with pytest.raises(errors.ExtensionTooLong):
        app.extend(13, TODAY)  # a 12-month loan extends by at most 12
    assert application_snapshot(app) == before


def test_an_extended_loan_takes_no_new_tranche() -> None:
    app = _drawn()
    app.extend(3, TODAY)
    with pytest.raises(errors.LoanExtended):
        app.record_drawdown(1, 0, TODAY)


def test_a_bank_that_lost_sees_neither_the_extension_nor_its_version() -> None:
    app = _drawn()
    approved_version = app.version
    app.extend(3, TODAY)
    lost = app.as_seen_by_bank("bank-b")
    assert (lost.version, lost.extended_months, lost.maturity_date) == (
        approved_version,
        0,
        None,
    )
    assert not app.bank_sees_change("bank-b", "EXTEND", made_by_it=False)
    assert app.bank_sees_change("bank-a", "EXTEND", made_by_it=True)


def test_snapshots_keep_the_extension_and_read_ones_stored_before_it() -> None:
    app = _drawn()
    app.extend(3, TODAY)
    assert application_from_snapshot(application_snapshot(app)) == app
    old = application_snapshot(app)
    del old["extended_months"]
    assert application_from_snapshot(old).extended_months == 0


async def _loan(uow: FakeUnitOfWork, directory: FakeDirectory) -> str:
    app_id = await _approved(uow, directory, valid_to="2027-12-31")
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 300_000, repayment=False), uow
    )
    return app_id


async def test_the_lender_extends_a_loan_with_its_event_and_audit() -> None:
    uow, directory = _world()
    app_id = await _loan(uow, directory)
    drawn = await uow.applications.get(app_id)
    assert drawn is not None and drawn.maturity_date is not None
    cmd = ExtendLoan(BANK.member_id, "r-extend", app_id, 6)
    extended = await extend_loan(cmd, uow)
    assert extended.maturity_date == add_months(drawn.maturity_date, 6)
    assert (extended.extended_months, extended.version) == (6, drawn.version + 1)
    event = uow.events[-1]
    assert isinstance(event, events.LoanExtended)
    assert (event.previous_maturity_date, event.months) == (drawn.maturity_date, 6)
    record = (await uow.audit.list("FinancingApplication", app_id, 0, 50))[-1]
    assert (record.action, record.actor, record.request_id) == (
        "EXTEND",
        f"bank:{BANK.member_id}",
        "r-extend",
    )

    published, commits = len(uow.events), uow.commits
    assert await extend_loan(cmd, uow) == extended  # the replay
    with pytest.raises(IdempotencyConflict):
        await extend_loan(ExtendLoan(BANK.member_id, "r-extend", app_id, 3), uow)
    with pytest.raises(errors.AlreadyExtended):
        await extend_loan(ExtendLoan(BANK.member_id, "r-again", app_id, 3), uow)
    assert (len(uow.events), uow.commits) == (published, commits)


async def test_only_the_lender_extends_and_months_are_checked_first() -> None:
    uow, directory = _world()
    app_id = await _loan(uow, directory)
    published = len(uow.events)
    with pytest.raises(errors.ApplicationNotFound):
        await extend_loan(ExtendLoan(OTHER_BANK, "r-x", app_id, 1), uow)
    for months in (0, -1, 361):
        with pytest.raises(errors.InvalidFields) as refused:
            await extend_loan(ExtendLoan(BANK.member_id, "r-bad", app_id, months), uow)
        assert set(refused.value.violations) == {"months"}
    with pytest.raises(errors.ExtensionTooLong):
        await extend_loan(ExtendLoan(BANK.member_id, "r-long", app_id, 13), uow)
    assert len(uow.events) == published
