"""Credit events on the wire: the approval's date, the loan's term, its due-soon
reminder, its extension and its overdue mark."""

from __future__ import annotations

from datetime import UTC, date, datetime

from g60.events.v1 import credit_events_pb2 as pb
from g60_credit.adapters.event_codec import event_to_envelope
from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.model import CreditLine, Product
from g60_credit.domain.parties import EnterpriseView, MemberView

BANK = MemberView("b1", "BANK", "330100", "ACTIVE", 1)
ENT = EnterpriseView("e1", "330100", "", "NEW_MATERIALS", "SMALL", "ACTIVE", 1)
PARTIES = events.Parties(BANK, ENT)
NOW = datetime(2027, 7, 1, tzinfo=UTC)


def _drawn() -> tuple[CreditLine, FinancingApplication]:
    line = CreditLine(
        "line-1", "b1", "e1", Product.WORKING_CAPITAL, "CNY", 1_000_000, True,
        date(2026, 1, 1), date(2027, 12, 31), guarantor_id="g1", cover_ratio_bp=5_000,
    )  # fmt: skip
    app = FinancingApplication(
        "app-1", "e1", 500_000, 12, "kit", ("b1",), False, datetime(2026, 5, 1, tzinfo=UTC)
    )
    app.approve("b1", line, 500_000, date(2026, 5, 2))
    line.draw_down(200_000, date(2026, 5, 31))
    app.record_drawdown(200_000, 100_000, date(2026, 5, 31))
    return line, app


def test_a_disbursement_carries_the_loan_s_term() -> None:
    line, app = _drawn()
    envelope = event_to_envelope(
        events.FundsDisbursed("d-1", 200_000, 100_000, line, app, PARTIES), NOW, ""
    )
    payload = pb.FundsDisbursed()
    envelope.payload.Unpack(payload)
    assert (payload.first_drawn_on, payload.maturity_date) == ("2026-05-31", "2027-05-31")


def test_an_overdue_loan_is_an_application_event_at_its_new_version() -> None:
    _, app = _drawn()
    app.mark_overdue(date(2027, 7, 1))
    envelope = event_to_envelope(events.LoanOverdue(app, PARTIES, "g1"), NOW, "")
    assert envelope.event_type == "LoanOverdue"
    assert (envelope.aggregate_type, envelope.aggregate_id) == ("FinancingApplication", "app-1")
    assert envelope.aggregate_version == app.version == 3
    payload = pb.LoanOverdue()
    envelope.payload.Unpack(payload)
    assert payload.maturity_date == "2027-05-31" and payload.overdue_since == "2027-06-01"
    assert (payload.outstanding_fen, payload.guarantee_fen) == (200_000, 100_000)
    assert (payload.guarantor_id, payload.parties.bank_id) == ("g1", "b1")


def test_a_due_soon_reminder_is_an_application_event_at_its_new_version() -> None:
    _, app = _drawn()
    days_left = app.announce_due_soon(date(2027, 5, 27), 7)
    envelope = event_to_envelope(events.LoanDueSoon(app, PARTIES, "g1", days_left), NOW, "")
    assert envelope.event_type == "LoanDueSoon"
    assert (envelope.aggregate_type, envelope.aggregate_id) == ("FinancingApplication", "app-1")
    assert envelope.aggregate_version == app.version == 3
    payload = pb.LoanDueSoon()
    envelope.payload.Unpack(payload)
    assert (payload.maturity_date, payload.first_drawn_on) == ("2027-05-31", "2026-05-31")
    assert (payload.days_left, payload.credit_line_id) == (4, "line-1")
    assert (payload.outstanding_fen, payload.guarantee_fen) == (200_000, 100_000)
    assert (payload.guarantor_id, payload.parties.bank_id) == ("g1", "b1")


def test_an_extension_carries_both_maturity_dates() -> None:
    _, app = _drawn()
    previous = app.extend(6, date(2027, 5, 1))
    event = events.LoanExtended(app, PARTIES, "g1", previous, app.extended_months)
    envelope = event_to_envelope(event, NOW, "")
    assert (envelope.event_type, envelope.aggregate_version) == ("LoanExtended", 3)
    payload = pb.LoanExtended()
    envelope.payload.Unpack(payload)
    assert (payload.previous_maturity_date, payload.maturity_date) == ("2027-05-31", "2027-11-30")
    assert (payload.months, payload.term_months, payload.outstanding_fen) == (6, 12, 200_000)
    assert (payload.guarantor_id, payload.guarantee_fen) == ("g1", 100_000)


def test_a_compensation_is_a_line_event_at_the_line_s_version() -> None:
    line, app = _drawn()
    app.mark_overdue(date(2027, 7, 1))
    released_fen = app.record_compensation(40_000)
    line.repay(40_000)
    envelope = event_to_envelope(
        events.LoanCompensated("c-1", 40_000, released_fen, line, app, PARTIES), NOW, ""
    )
    assert envelope.event_type == "LoanCompensated"
    assert (envelope.aggregate_type, envelope.aggregate_id) == ("CreditLine", "line-1")
    assert envelope.aggregate_version == line.version
    payload = pb.LoanCompensated()
    envelope.payload.Unpack(payload)
    assert (payload.compensation_id, payload.guarantor_id, payload.amount_fen) == (
        "c-1",
        "g1",
        40_000,
    )
    assert payload.guarantee_released_fen == 40_000 and payload.revolving
    assert (payload.application_repaid_fen, payload.application_compensated_fen) == (40_000,) * 2
    assert (payload.application_outstanding_fen, payload.application_status) == (
        160_000,
        "DISBURSED",
    )
    assert payload.balances.outstanding_fen == 160_000 and payload.parties.bank_id == "b1"


def test_an_approval_carries_its_date_and_a_lapse_is_a_close() -> None:
    line, app = _drawn()
    envelope = event_to_envelope(events.FinancingApproved(app, line, PARTIES), NOW, "")
    approved = pb.FinancingApproved()
    envelope.payload.Unpack(approved)
    assert approved.approved_on == "2026-05-02"
    undrawn = FinancingApplication(
        "app-2", "e1", 500_000, 12, "kit", ("b1",), False, datetime(2026, 5, 1, tzinfo=UTC)
    )
    undrawn.approve("b1", line, 500_000, date(2026, 5, 2))
    undrawn.lapse(date(2026, 8, 1), 90)
    reason = "the approval lapsed undrawn after 90 days"
    envelope = event_to_envelope(events.FinancingClosed(undrawn, PARTIES, reason), NOW, "")
    assert (envelope.event_type, envelope.aggregate_version) == ("FinancingClosed", 3)
    closed = pb.FinancingClosed()
    envelope.payload.Unpack(closed)
    assert (closed.reason, closed.disbursed_fen) == (reason, 0)
