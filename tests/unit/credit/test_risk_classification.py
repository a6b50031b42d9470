"""Five-tier risk classification (贷款五级分类): the floors' boundaries, down only, the
loan's class through the overdue mark and the sweeper, what a bank that lost the
application sees, old snapshots, the events and the handler over fakes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from g60.events.v1 import credit_events_pb2 as pb
from g60_credit.adapters.event_codec import event_to_envelope
from g60_credit.adapters.proto_codec import application_to_proto, movement_to_proto
from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.queries import ApplicationPageQuery
from g60_credit.domain.risk import (
    NON_PERFORMING,
    RiskClass,
    class_for_days_past_due,
    downgrade,
    is_worse,
    leaves_after_days,
)
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot
from g60_credit.entrypoints import expiry_sweeper
from g60_credit.service_layer import financing_handlers, money_handlers
from g60_credit.service_layer.commands import MoveFunds
from g60_credit.service_layer.risk_classification import RISK_SWEEPER_ACTOR, reclassify_loans
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.credit.credit_fakes import FakeUnitOfWork
from tests.unit.credit.test_credit_event_codec import PARTIES
from tests.unit.credit.test_credit_handlers import BANK, ENT, _approved, _world
from tests.unit.credit.test_financing_application import TODAY, _app, _line

MATURITY = date(2027, 6, 1)  # of a loan drawn on TODAY (2026-06-01) for 12 months


@pytest.mark.parametrize(
    ("days", "risk_class"),
    [
        (0, RiskClass.NORMAL),
        (1, RiskClass.SPECIAL_MENTION),
        (90, RiskClass.SPECIAL_MENTION),
        (91, RiskClass.SUBSTANDARD),
        (270, RiskClass.SUBSTANDARD),
        (271, RiskClass.DOUBTFUL),
        (360, RiskClass.DOUBTFUL),
        (361, RiskClass.LOSS),
        (10_000, RiskClass.LOSS),
    ],
)
def test_the_floors_by_days_past_due(days: int, risk_class: RiskClass) -> None:
    assert class_for_days_past_due(days) is risk_class


def test_the_last_three_classes_are_non_performing() -> None:
    assert NON_PERFORMING == {RiskClass.SUBSTANDARD, RiskClass.DOUBTFUL, RiskClass.LOSS}


def test_each_class_is_left_beyond_the_next_floor() -> None:
    assert [leaves_after_days(c) for c in RiskClass] == [0, 90, 270, 360, None]


def test_reclassification_moves_only_down() -> None:
    assert downgrade(RiskClass.SPECIAL_MENTION, 91) is RiskClass.SUBSTANDARD
    assert downgrade(RiskClass.SPECIAL_MENTION, 400) is RiskClass.LOSS  # one step
    assert downgrade(RiskClass.SUBSTANDARD, 91) is None  # sideways: no move
    assert downgrade(RiskClass.DOUBTFUL, 100) is None  # never up
    assert downgrade(RiskClass.LOSS, 0) is None


@given(st.lists(st.integers(min_value=0, max_value=2_000), max_size=20))
def test_any_sequence_of_days_never_improves_a_class(days: list[int]) -> None:
    current = RiskClass.NORMAL
    for day in days:
        moved = downgrade(current, day)
        if moved is not None:
            assert is_worse(moved, current)
            current = moved
        assert not is_worse(class_for_days_past_due(day), current)


def _drawn(drawn_fen: int = 100_000) -> FinancingApplication:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(drawn_fen, 0, TODAY)
    assert app.maturity_date == MATURITY
    return app


def _late(days: int) -> date:
    return MATURITY + timedelta(days=days)


def test_the_overdue_mark_makes_a_loan_special_mention() -> None:
    app = _drawn()
    assert (app.risk_class, app.days_past_due(MATURITY)) == (RiskClass.NORMAL, 0)
    assert app.reclassification_due(_late(400)) is None  # the mark comes first
    app.mark_overdue(_late(1))
    assert app.risk_class is RiskClass.SPECIAL_MENTION
    assert app.days_past_due(_late(1)) == 1
    assert app.reclassification_due(_late(90)) is None


def test_a_loan_400_days_late_goes_straight_to_loss_in_one_version() -> None:
    app = _drawn()
    app.mark_overdue(_late(400))
    version = app.version
    assert app.reclassify(_late(400)) is RiskClass.SPECIAL_MENTION
    assert (app.risk_class, app.version) == (RiskClass.LOSS, version + 1)
    assert app.reclassification_due(_late(5_000)) is None
    with pytest.raises(AssertionError):
        app.reclassify(_late(5_000))


def test_a_loan_moves_once_per_floor_crossed() -> None:
    app = _drawn()
    app.mark_overdue(_late(1))
    moves = []
    for days in (50, 91, 200, 271, 300, 361, 400):
        if app.reclassification_due(_late(days)):
            moves.append((app.reclassify(_late(days)), app.risk_class))
    assert moves == [
        (RiskClass.SPECIAL_MENTION, RiskClass.SUBSTANDARD),
        (RiskClass.SUBSTANDARD, RiskClass.DOUBTFUL),
        (RiskClass.DOUBTFUL, RiskClass.LOSS),
    ]


def test_a_repaid_loan_keeps_its_class_and_never_moves_again() -> None:
    app = _drawn()
    app.mark_overdue(_late(100))
    app.reclassify(_late(100))
    app.record_repayment(app.outstanding_fen, 0)
    assert app.days_past_due(_late(500)) == 0
    assert app.risk_class is RiskClass.SUBSTANDARD
    assert app.reclassification_due(_late(500)) is None


def test_a_bank_that_lost_sees_neither_the_class_nor_its_versions() -> None:
    app = _drawn()
    approval_version = app.version
    app.mark_overdue(_late(400))
    app.reclassify(_late(400))
    seen = app.as_seen_by_bank("bank-b")
    assert (seen.risk_class, seen.days_past_due(_late(400))) == (RiskClass.NORMAL, 0)
    assert seen.version == approval_version
    assert not app.bank_sees_change("bank-b", "RECLASSIFY", made_by_it=False)
    assert app.bank_sees_change("bank-a", "RECLASSIFY", made_by_it=False)
    lender = app.as_seen_by_bank("bank-a")
    assert (lender.risk_class, lender.version) == (RiskClass.LOSS, app.version)


def test_snapshots_keep_the_class_and_old_ones_read_as_the_backfill_gives() -> None:
    app = _drawn()
    app.mark_overdue(_late(100))
    app.reclassify(_late(100))
    stored = json.loads(json.dumps(application_snapshot(app)))
    assert application_from_snapshot(stored) == app
    old = {k: v for k, v in stored.items() if k != "risk_class"}
    old["version"] -= 1  # before the reclassification
    assert application_from_snapshot(old).risk_class is RiskClass.SPECIAL_MENTION
    never_late = application_snapshot(_drawn())
    del never_late["risk_class"]
    assert application_from_snapshot(never_late).risk_class is RiskClass.NORMAL


def test_the_events_carry_the_class() -> None:
    app = _drawn()
    app.mark_overdue(_late(400))
    overdue = pb.LoanOverdue()
    event_to_envelope(events.LoanOverdue(app, PARTIES, "g1"), datetime.now(UTC), "").payload.Unpack(
        overdue
    )
    assert overdue.risk_class == "SPECIAL_MENTION"
    previous = app.reclassify(_late(400))
    envelope = event_to_envelope(
        events.LoanReclassified(app, PARTIES, "g1", previous, 400), datetime.now(UTC), ""
    )
    assert (envelope.event_type, envelope.aggregate_type) == (
        "LoanReclassified",
        "FinancingApplication",
    )
    assert envelope.aggregate_version == app.version
    payload = pb.LoanReclassified()
    envelope.payload.Unpack(payload)
    assert (payload.previous_risk_class, payload.risk_class) == ("SPECIAL_MENTION", "LOSS")
    assert (payload.days_past_due, payload.outstanding_fen) == (400, 100_000)
    assert (payload.maturity_date, payload.overdue_since) == ("2027-06-01", "2027-06-02")
    assert (payload.credit_line_id, payload.guarantor_id) == ("line-bank-a", "g1")
    assert payload.parties.bank_id == "b1"


def test_the_api_shows_days_past_due_as_of_the_answer_s_day() -> None:
    app = _drawn()
    app.mark_overdue(_late(10))
    assert application_to_proto(app, _late(10)).days_past_due == 10
    assert application_to_proto(app, _late(10)).risk_class == "SPECIAL_MENTION"
    # By the date, like the overdue list: before the sweeper's mark too.
    assert application_to_proto(_drawn(), _late(10)).days_past_due == 10
    assert application_to_proto(_drawn(), MATURITY).days_past_due == 0


async def _drawn_loan() -> tuple[FakeUnitOfWork, str]:
    """A loan of 100,000 fen drawn on TODAY (the fakes' clock), maturing on MATURITY."""
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 100_000, repayment=False), uow
    )
    return uow, app_id


async def _late_loan(days: int) -> tuple[FakeUnitOfWork, str]:
    """The loan, marked overdue by the sweeper `days` after maturity."""
    uow, app_id = await _drawn_loan()
    assert await financing_handlers.mark_overdue_loans(uow, _late(days), 10) == 1
    return uow, app_id


async def test_the_sweeper_s_handler_moves_a_loan_once_with_audit_and_event() -> None:
    uow, app_id = await _late_loan(100)
    assert await reclassify_loans(uow, _late(100), 10) == [RiskClass.SUBSTANDARD]
    event = uow.events[-1]
    assert isinstance(event, events.LoanReclassified)
    assert (event.previous_class, event.application.risk_class) == (
        RiskClass.SPECIAL_MENTION,
        RiskClass.SUBSTANDARD,
    )
    assert (event.days_past_due, event.guarantor_id) == (100, "")
    assert await reclassify_loans(uow, _late(200), 10) == []  # once per transition
    history, _ = await financing_handlers.application_history(
        "enterprise", ENT.enterprise_id, ApplicationPageQuery(app_id), uow
    )
    entry = history[-1]
    assert (entry.action, entry.actor) == ("RECLASSIFY", RISK_SWEEPER_ACTOR)
    assert entry.application.risk_class is RiskClass.SUBSTANDARD
    # The lender's history shows it; its version counts it.
    lender, _ = await financing_handlers.application_history(
        "bank", BANK.member_id, ApplicationPageQuery(app_id), uow
    )
    assert lender[-1].action == "RECLASSIFY" and lender[-1].application.version == 4


async def test_a_repayment_carries_the_class_and_its_answer_its_own_day() -> None:
    uow, app_id = await _late_loan(100)
    await reclassify_loans(uow, _late(100), 10)
    repay = MoveFunds(BANK.member_id, "r-repay", app_id, 30_000, repayment=True)
    first = await money_handlers.move_funds(repay, uow)
    repaid = uow.events[-1]
    assert isinstance(repaid, events.LoanRepaid)
    assert repaid.application.risk_class is RiskClass.SUBSTANDARD
    replay = await money_handlers.move_funds(repay, uow)
    # NOW is TODAY, before maturity in the fakes' clock: the answer counts to its day.
    assert replay.moved_on == first.moved_on == TODAY
    assert movement_to_proto(replay, _late(300)).application.days_past_due == 0


async def test_a_sweep_round_marks_and_reclassifies_a_loan_400_days_late_once() -> None:
    uow, _ = await _drawn_loan()
    to_loss = expiry_sweeper.LOANS_RECLASSIFIED.labels(to="LOSS")
    before = to_loss._value.get()
    later = datetime(2028, 7, 5, tzinfo=UTC)  # 400 days after maturity, in Shanghai too
    counts = await expiry_sweeper.sweep_once(lambda: uow, lambda: later, 10, 90, 7)
    assert counts[1:3] == (1, 1)  # marked, then reclassified, in one round
    assert to_loss._value.get() == before + 1
    kinds = [type(e).__name__ for e in uow.events[-2:]]
    assert kinds == ["LoanOverdue", "LoanReclassified"]
    again = await expiry_sweeper.sweep_once(lambda: uow, lambda: later, 10, 90, 7)
    assert again[1:3] == (0, 0)
