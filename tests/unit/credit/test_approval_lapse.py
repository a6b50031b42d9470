"""Approvals lapse undrawn (审批有效期): the approval's date, the rule's boundaries, the
sweeper's close over the fakes, and the setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from g60_credit.config import CreditSettings
from g60_credit.domain import errors, events
from g60_credit.domain.application import ApplicationStatus
from g60_credit.domain.queries import ApplicationPageQuery
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot
from g60_credit.entrypoints import expiry_sweeper
from g60_credit.service_layer import financing_handlers, money_handlers
from g60_credit.service_layer.approval_lapse import APPROVAL_SWEEPER_ACTOR, lapse_undrawn_approvals
from g60_credit.service_layer.commands import MoveFunds
from g60common.config import ConfigError

from tests.unit.credit.credit_fakes import NOW
from tests.unit.credit.test_credit_handlers import BANK, ENT, _approved, _world
from tests.unit.credit.test_financing_application import TODAY, _app, _line

APPROVED_ON = NOW.date()  # 2026-06-01 in Shanghai too (10:00)


def test_approval_records_its_shanghai_business_date() -> None:
    app = _app()
    assert app.approved_on is None
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    assert app.approved_on == TODAY


def test_an_undrawn_approval_lapses_only_after_its_last_valid_day() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    assert not app.has_lapsed(TODAY + timedelta(days=90), 90)  # the last valid day
    assert app.has_lapsed(TODAY + timedelta(days=91), 90)
    version = app.version
    app.lapse(TODAY + timedelta(days=91), 90)
    assert (app.status, app.version) == (ApplicationStatus.CLOSED, version + 1)
    assert not app.has_lapsed(TODAY + timedelta(days=200), 90)  # once
    with pytest.raises(errors.ApplicationNotDrawable):
        app.record_drawdown(1, 0, TODAY + timedelta(days=91))


def test_a_drawn_or_pending_application_never_lapses() -> None:
    pending = _app()
    assert not pending.has_lapsed(TODAY + timedelta(days=1000), 90)
    drawn = _app()
    drawn.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    drawn.record_drawdown(1, 0, TODAY)
    assert not drawn.has_lapsed(TODAY + timedelta(days=1000), 90)
    with pytest.raises(AssertionError):
        drawn.lapse(TODAY + timedelta(days=1000), 90)


def test_a_bank_that_lost_sees_the_approval_date_but_not_the_lapse() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    approved_version = app.version
    app.lapse(TODAY + timedelta(days=91), 90)
    lost = app.as_seen_by_bank("bank-b")
    assert (lost.status, lost.version, lost.approved_on) == ("APPROVED", approved_version, TODAY)
    assert not app.bank_sees_change("bank-b", "LAPSE", made_by_it=False)
    assert app.bank_sees_change("bank-a", "LAPSE", made_by_it=False)


def test_snapshots_keep_the_approval_date_and_read_ones_stored_before_it() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    assert application_from_snapshot(application_snapshot(app)) == app
    old = application_snapshot(app)
    del old["approved_on"]
    assert application_from_snapshot(old).approved_on is None


async def test_the_sweeper_closes_a_lapsed_approval_once_with_its_event_and_audit() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    approved = await uow.applications.get(app_id)
    assert approved is not None and approved.approved_on == APPROVED_ON
    last_valid_day = APPROVED_ON + timedelta(days=90)
    assert await lapse_undrawn_approvals(uow, last_valid_day, 90, 10) == 0
    assert await lapse_undrawn_approvals(uow, last_valid_day + timedelta(days=1), 90, 10) == 1
    event = uow.events[-1]
    assert isinstance(event, events.FinancingClosed)
    assert event.application.status is ApplicationStatus.CLOSED
    assert event.application.version == approved.version + 1
    assert event.reason == "the approval lapsed undrawn after 90 days"
    assert await lapse_undrawn_approvals(uow, last_valid_day + timedelta(days=30), 90, 10) == 0
    history, _ = await financing_handlers.application_history(
        "enterprise", ENT.enterprise_id, ApplicationPageQuery(app_id), uow
    )
    assert (history[-1].action, history[-1].actor) == ("LAPSE", APPROVAL_SWEEPER_ACTOR)
    with pytest.raises(errors.ApplicationNotDrawable):
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, "r-draw", app_id, 1, repayment=False), uow
        )


async def test_a_drawn_approval_never_lapses() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 100, repayment=False), uow
    )
    assert await lapse_undrawn_approvals(uow, APPROVED_ON + timedelta(days=400), 90, 10) == 0


async def test_a_sweep_round_lapses_approvals_after_expiry_and_overdue_marking() -> None:
    uow, directory = _world()
    await _approved(uow, directory)
    lapsed_before = expiry_sweeper.APPROVALS_LAPSED._value.get()
    later = datetime(2026, 12, 1, tzinfo=UTC)  # 183 days on, before the line's valid_to
    counts = await expiry_sweeper.sweep_once(lambda: uow, lambda: later, 10, 90, 7)
    assert counts == (0, 0, 0, 1, 0)
    assert expiry_sweeper.APPROVALS_LAPSED._value.get() == lapsed_before + 1


def test_approval_validity_defaults_to_90_days_and_must_be_positive() -> None:
    assert CreditSettings.from_env({}).approval_valid_days == 90
    env = {"G60_CREDIT_APPROVAL_VALID_DAYS": "30"}
    assert CreditSettings.from_env(env).approval_valid_days == 30
    for bad in ("0", "-1", "ninety"):
        with pytest.raises(ConfigError, match="G60_CREDIT_APPROVAL_VALID_DAYS"):
            CreditSettings.from_env({"G60_CREDIT_APPROVAL_VALID_DAYS": bad})
