"""Due-soon reminders (到期提醒): which dates qualify, once per maturity date, what a bank
that lost is shown, the sweeper's announcement over the fakes, and the setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from g60_credit.config import CreditSettings
from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import add_months
from g60_credit.domain.queries import ApplicationPageQuery
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot
from g60_credit.entrypoints import expiry_sweeper
from g60_credit.service_layer import financing_handlers, money_handlers
from g60_credit.service_layer.commands import MoveFunds
from g60_credit.service_layer.due_soon import DUE_SOON_SWEEPER_ACTOR, announce_loans_due_soon
from g60common.config import ConfigError

from tests.unit.credit.credit_fakes import NOW, FakeDirectory, FakeUnitOfWork
from tests.unit.credit.test_credit_handlers import BANK, ENT, _approved, _world
from tests.unit.credit.test_financing_application import TODAY, _app, _line

MATURITY = add_months(TODAY, 12)  # a 12-month loan drawn on TODAY


def _drawn(amount_fen: int = 100_000) -> FinancingApplication:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(amount_fen, 0, TODAY)
    assert app.maturity_date == MATURITY
    return app


def test_a_loan_qualifies_from_notice_days_before_maturity_to_the_maturity_date() -> None:
    app = _drawn()
    assert not app.is_due_soon(MATURITY - timedelta(days=8), 7)
    for days_left in range(7, -1, -1):
        assert app.is_due_soon(MATURITY - timedelta(days=days_left), 7), days_left
    assert not app.is_due_soon(MATURITY + timedelta(days=1), 7)  # past maturity: overdue


def test_a_reminder_is_announced_once_per_maturity_date() -> None:
    app = _drawn()
    version = app.version
    assert app.announce_due_soon(MATURITY - timedelta(days=7), 7) == 7
    assert (app.due_soon_notified_for, app.version) == (MATURITY, version + 1)
    for days_left in range(6, -1, -1):
        assert not app.is_due_soon(MATURITY - timedelta(days=days_left), 7)
    with pytest.raises(AssertionError):
        app.announce_due_soon(MATURITY, 7)
    # A new maturity date (an extension) is a new date to announce.
    app.maturity_date = add_months(MATURITY, 3)
    assert app.is_due_soon(app.maturity_date, 7)


def test_a_loan_first_seen_inside_the_window_is_announced_with_the_days_left() -> None:
    app = _drawn()
    assert app.announce_due_soon(MATURITY - timedelta(days=2), 7) == 2
    due_today = _drawn()
    assert due_today.announce_due_soon(MATURITY, 7) == 0


def test_repaid_overdue_or_undrawn_loans_get_no_reminder() -> None:
    repaid = _drawn()
    repaid.record_repayment(100_000, 0)
    assert not repaid.is_due_soon(MATURITY, 7)
    overdue = _drawn()
    overdue.mark_overdue(MATURITY + timedelta(days=1))
    assert not overdue.is_due_soon(MATURITY, 7)
    approved = _app()
    approved.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    assert not approved.is_due_soon(TODAY, 7)
    partly_repaid = _drawn()
    partly_repaid.record_repayment(99_999, 0)
    assert partly_repaid.is_due_soon(MATURITY, 7)


def test_a_bank_that_lost_sees_neither_the_reminder_nor_its_version() -> None:
    app = _drawn()
    approved_version = app.version
    app.announce_due_soon(MATURITY, 7)
    app.mark_overdue(MATURITY + timedelta(days=1))
    lost = app.as_seen_by_bank("bank-b")
    assert (lost.version, lost.due_soon_notified_for) == (approved_version, None)
    assert not app.bank_sees_change("bank-b", "DUE_SOON", made_by_it=False)
    assert app.bank_sees_change("bank-a", "DUE_SOON", made_by_it=False)


def test_snapshots_keep_the_reminder_and_read_ones_stored_before_it() -> None:
    app = _drawn()
    app.announce_due_soon(MATURITY, 7)
    assert application_from_snapshot(application_snapshot(app)) == app
    old = application_snapshot(app)
    del old["due_soon_notified_for"]
    assert application_from_snapshot(old).due_soon_notified_for is None


async def _drawn_loan(uow: FakeUnitOfWork, directory: FakeDirectory) -> str:
    app_id = await _approved(uow, directory, valid_to="2027-12-31")
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 300_000, repayment=False), uow
    )
    return app_id


async def test_the_sweeper_announces_a_loan_once_with_its_event_and_audit() -> None:
    uow, directory = _world()
    app_id = await _drawn_loan(uow, directory)
    drawn = await uow.applications.get(app_id)
    assert drawn is not None and drawn.maturity_date is not None
    maturity = drawn.maturity_date
    assert await announce_loans_due_soon(uow, maturity - timedelta(days=8), 7, 10) == 0
    assert await announce_loans_due_soon(uow, maturity - timedelta(days=5), 7, 10) == 1
    event = uow.events[-1]
    assert isinstance(event, events.LoanDueSoon)
    assert (event.days_left, event.application.outstanding_fen) == (5, 300_000)
    assert event.application.version == drawn.version + 1
    assert await announce_loans_due_soon(uow, maturity - timedelta(days=4), 7, 10) == 0
    assert await announce_loans_due_soon(uow, maturity, 7, 10) == 0
    history, _ = await financing_handlers.application_history(
        "enterprise", ENT.enterprise_id, ApplicationPageQuery(app_id), uow
    )
    assert (history[-1].action, history[-1].actor) == ("DUE_SOON", DUE_SOON_SWEEPER_ACTOR)
    assert history[-1].application.due_soon_notified_for == maturity


async def test_a_loan_repaid_in_full_is_not_announced() -> None:
    uow, directory = _world()
    app_id = await _drawn_loan(uow, directory)
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-repay", app_id, 300_000, repayment=True), uow
    )
    maturity = add_months(NOW.date(), 12)
    assert await announce_loans_due_soon(uow, maturity - timedelta(days=1), 7, 10) == 0


async def test_a_sweep_round_announces_loans_due_soon_and_counts_them() -> None:
    uow, directory = _world()
    await _drawn_loan(uow, directory)
    announced_before = expiry_sweeper.LOANS_DUE_SOON._value.get()
    maturity = add_months(NOW.date(), 12)
    three_days_before = datetime.combine(maturity - timedelta(days=3), NOW.time(), tzinfo=UTC)
    counts = await expiry_sweeper.sweep_once(lambda: uow, lambda: three_days_before, 10, 90, 7)
    assert counts == (0, 0, 0, 0, 1)
    assert expiry_sweeper.LOANS_DUE_SOON._value.get() == announced_before + 1
    again = await expiry_sweeper.sweep_once(lambda: uow, lambda: three_days_before, 10, 90, 7)
    assert again == (0, 0, 0, 0, 0)


def test_the_notice_period_defaults_to_7_days_and_must_be_positive() -> None:
    assert CreditSettings.from_env({}).due_soon_days == 7
    assert CreditSettings.from_env({"G60_CREDIT_DUE_SOON_DAYS": "10"}).due_soon_days == 10
    for bad in ("0", "-3", "seven"):
        with pytest.raises(ConfigError, match="G60_CREDIT_DUE_SOON_DAYS"):
            CreditSettings.from_env({"G60_CREDIT_DUE_SOON_DAYS": bad})
