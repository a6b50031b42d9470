"""The financing application aggregate and the guarantor's capacity, without I/O."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from g60_credit.domain import errors
from g60_credit.domain.application import ApplicationStatus, FinancingApplication
from g60_credit.domain.calendar import add_months, business_date
from g60_credit.domain.guarantee import GuarantorCapacity
from g60_credit.domain.model import CreditLine, Product
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot

TODAY = date(2026, 6, 1)


def _line(bank: str = "bank-a", enterprise: str = "ent-1", **kw: object) -> CreditLine:
    return CreditLine(
        f"line-{bank}",
        bank,
        enterprise,
        Product.SUPPLY_CHAIN,
        "CNY",
        1_000_000,
        True,
        date(2026, 1, 1),
        date(2026, 12, 31),
        **kw,  # type: ignore[arg-type]
    )


def _app(targets: tuple[str, ...] = ("bank-a", "bank-b")) -> FinancingApplication:
    return FinancingApplication(
        "app-1",
        "ent-1",
        500_000,
        12,
        "equipment",
        targets,
        len(targets) > 1,
        datetime(2026, 5, 1, tzinfo=UTC),
    )


def test_first_approval_wins() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    assert (app.status, app.bank_id, app.approved_fen, app.version) == (
        ApplicationStatus.APPROVED,
        "bank-a",
        400_000,
        2,
    )
    with pytest.raises(errors.ApplicationNotPending):
        app.approve("bank-b", _line("bank-b"), 400_000, TODAY)


def test_another_addressed_bank_sees_the_approval_but_not_the_loan() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(150_000, 0, TODAY)
    app.record_repayment(50_000, 0)
    won = app.as_seen_by_bank("bank-a")
    assert (won.status, won.disbursed_fen, won.outstanding_fen) == (app.status, 150_000, 100_000)
    seen = app.as_seen_by_bank("bank-b")
    assert (seen.status, seen.bank_id, seen.approved_fen) == (
        ApplicationStatus.APPROVED,
        "bank-a",
        400_000,
    )
    assert (seen.disbursed_fen, seen.repaid_fen, seen.outstanding_fen) == (0, 0, 0)
    assert app.outstanding_fen == 100_000  # the aggregate itself is untouched
    assert _app().as_seen_by_bank("bank-b").status is ApplicationStatus.SUBMITTED


def test_a_bank_follows_the_changes_it_may_read_and_the_loan_only_if_it_lends() -> None:
    app = _app(("bank-a", "bank-b", "bank-c"))
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    readable = {
        (bank, action, own)
        for bank in ("bank-a", "bank-b")
        for action in ("APPLY", "APPROVE", "REJECT", "WITHDRAW", "DRAWDOWN", "REPAY", "CLOSE")
        for own in (True, False)
        if app.bank_sees_change(bank, action, own)
    }
    shared = {"APPLY", "APPROVE", "WITHDRAW"}
    lender = {"DRAWDOWN", "REPAY", "CLOSE"}
    assert readable == {
        *((bank, a, own) for bank in ("bank-a", "bank-b") for a in shared for own in (True, False)),
        *(("bank-a", a, own) for a in lender for own in (True, False)),
        ("bank-a", "REJECT", True),
        ("bank-b", "REJECT", True),
    }


def test_the_loser_sees_the_approval_s_version_and_is_refused_with_its_status() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    approved_version = app.version
    app.record_drawdown(300_000, 0, TODAY)
    with pytest.raises(errors.ApplicationNotPending, match=r"already APPROVED$"):
        app.reject("bank-b")  # not DISBURSED: that is the lender's business
    app.record_repayment(300_000, 0)
    app.close()
    assert app.as_seen_by_bank("bank-b").version == approved_version
    assert app.as_seen_by_bank("bank-a").version == approved_version + 1
    for decide in (
        lambda: app.reject("bank-b"),
        lambda: app.approve("bank-b", _line("bank-b"), 1, TODAY),
    ):
        with pytest.raises(errors.ApplicationNotPending, match=r"already APPROVED$"):
            decide()
    with pytest.raises(errors.ApplicationNotPending, match=r"already CLOSED$"):
        app.reject("bank-a")  # the winner is told the truth
    with pytest.raises(errors.ApplicationNotPending, match=r"already CLOSED$"):
        app.withdraw()  # and so is the applicant


def test_a_bank_sees_itself_among_the_targets_and_the_applicant_sees_them_all() -> None:
    app = _app(("bank-a", "bank-b", "bank-c"))
    assert app.as_seen_by_bank("bank-b").target_bank_ids == ("bank-b",)
    assert app.as_seen_by_bank("bank-b").city_wide
    app.approve("bank-a", _line("bank-a"), 1, TODAY)
    assert app.as_seen_by_bank("bank-c").target_bank_ids == ("bank-c",)
    assert app.as_seen_by_bank("bank-c").bank_id == "bank-a"  # who won, as documented
    assert app.target_bank_ids == ("bank-a", "bank-b", "bank-c")


def test_a_bank_sees_only_its_own_decline() -> None:
    app = _app(("bank-a", "bank-b", "bank-c"))
    app.reject("bank-b")
    app.reject("bank-c")
    assert app.as_seen_by_bank("bank-a").declined_bank_ids == ()
    assert app.as_seen_by_bank("bank-b").declined_bank_ids == ("bank-b",)
    app.approve("bank-a", _line("bank-a"), 1, TODAY)
    assert app.as_seen_by_bank("bank-a").declined_bank_ids == ()
    assert app.as_seen_by_bank("bank-c").declined_bank_ids == ("bank-c",)
    assert app.declined_bank_ids == ("bank-b", "bank-c")  # the applicant sees them all


def test_a_bank_s_version_leaves_out_the_other_banks_declines() -> None:
    """Each decline is a version of the application; a bank counting them would learn
    how many competitors turned the enterprise down."""
    app = _app(("bank-a", "bank-b", "bank-c"))
    app.reject("bank-b")
    app.reject("bank-c")
    assert app.version == 3  # the applicant sees every step
    assert [app.as_seen_by_bank(b).version for b in ("bank-a", "bank-b", "bank-c")] == [1, 2, 2]
    app.approve("bank-a", _line("bank-a"), 1, TODAY)
    assert [app.as_seen_by_bank(b).version for b in ("bank-a", "bank-b", "bank-c")] == [2, 3, 3]
    app.close()  # the lender's: the others keep the approval's version
    assert [app.as_seen_by_bank(b).version for b in ("bank-a", "bank-b", "bank-c")] == [3, 3, 3]


def test_a_bank_declines_once() -> None:
    app = _app(("bank-a", "bank-b"))
    app.reject("bank-b")
    with pytest.raises(errors.AlreadyDeclined):
        app.reject("bank-b")
    assert (app.version, app.declined_bank_ids) == (2, ("bank-b",))
    assert app.reject("bank-a") is True


def test_approval_needs_the_enterprises_own_active_line_with_room() -> None:
    with pytest.raises(errors.CreditLineMismatch):
        _app().approve("bank-a", _line(enterprise="ent-2"), 1, TODAY)
    with pytest.raises(errors.CreditLineNotFound):
        _app().approve("bank-b", _line("bank-a"), 1, TODAY)
    frozen = _line()
    frozen.freeze()
    with pytest.raises(errors.CreditLineFrozen):
        _app().approve("bank-a", frozen, 1, TODAY)
    with pytest.raises(errors.ApprovedAmountExceeded):
        _app().approve("bank-a", _line(), 500_001, TODAY)
    with pytest.raises(errors.OutsideValidityWindow):
        _app().approve("bank-a", _line(), 1, date(2027, 1, 1))


def test_rejected_only_after_every_addressed_bank_declines() -> None:
    app = _app()
    assert app.reject("bank-a") is False and app.status is ApplicationStatus.SUBMITTED
    assert app.reject("bank-b") is True and app.status.value == "REJECTED"
    with pytest.raises(errors.ApplicationNotPending):
        app.withdraw()


def test_tranches_stay_within_the_approval_and_repayment_releases_cover() -> None:
    app = _app(("bank-a",))
    app.approve("bank-a", _line(), 300_000, TODAY)
    app.record_drawdown(200_000, 160_000, TODAY)
    with pytest.raises(errors.ApprovedAmountExceeded):
        app.record_drawdown(100_001, 0, TODAY)
    app.record_drawdown(100_000, 80_000, TODAY)
    assert app.status is ApplicationStatus.DISBURSED and app.version == 2
    assert app.record_repayment(100_000, 80_000) == 80_000
    with pytest.raises(errors.RepaymentExceedsOutstanding):
        app.record_repayment(200_001, 0)
    # The last repayment releases whatever cover is left, rounding included.
    assert app.record_repayment(200_000, 159_999) == 160_000
    assert app.status.value == "REPAID" and app.guarantee_fen == 0


def test_guarantee_share_rounds_up_and_capacity_is_enforced() -> None:
    line = _line(guarantor_id="g-1", cover_ratio_bp=3_333)
    assert line.guarantee_share_fen(100) == 34
    capacity = GuarantorCapacity("g-1", capacity_fen=50)
    capacity.consume(34)
    with pytest.raises(errors.GuarantorCapacityExceeded):
        capacity.consume(17)
    capacity.release(34)
    assert capacity.remaining_fen == 50


def test_business_date_is_shanghai() -> None:
    assert business_date(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("start", "months", "maturity"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 6, 1), 360, date(2056, 6, 1)),
        (date(2026, 6, 1), 0, date(2026, 6, 1)),
    ],
)
def test_a_term_in_months_ends_on_the_same_day_or_the_month_s_last(
    start: date, months: int, maturity: date
) -> None:
    assert add_months(start, months) == maturity


def test_the_first_tranche_starts_the_term_and_later_ones_share_it() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    assert (app.first_drawn_on, app.maturity_date) == (None, None)
    app.record_drawdown(100_000, 0, date(2026, 1, 31))
    app.record_drawdown(100_000, 0, date(2026, 5, 3))
    assert (app.first_drawn_on, app.maturity_date) == (date(2026, 1, 31), date(2027, 1, 31))
    app.record_drawdown(1, 0, date(2027, 1, 30))
    with pytest.raises(errors.LoanMatured):
        app.record_drawdown(1, 0, date(2027, 1, 31))
    assert app.disbursed_fen == 200_001


def test_a_loan_is_overdue_the_day_after_maturity_while_principal_is_outstanding() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(100_000, 0, date(2026, 6, 1))
    assert not app.is_overdue(date(2027, 6, 1))
    assert app.is_overdue(date(2027, 6, 2))
    version = app.version
    app.mark_overdue(date(2027, 6, 20))
    # The first day it was late, whenever the sweeper ran.
    assert app.overdue_since == date(2027, 6, 2)
    assert app.version == version + 1
    app.record_repayment(100_000, 0)
    assert not app.is_overdue(date(2027, 7, 1)) and app.overdue_since == date(2027, 6, 2)


def test_a_bank_that_lost_sees_no_term_and_no_overdue_step() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    approved_version = app.version
    app.record_drawdown(100_000, 0, date(2026, 6, 1))
    app.mark_overdue(date(2027, 7, 1))
    lost = app.as_seen_by_bank("bank-b")
    assert (lost.first_drawn_on, lost.maturity_date, lost.overdue_since) == (None, None, None)
    assert lost.version == approved_version
    assert app.as_seen_by_bank("bank-a").overdue_since == date(2027, 6, 2)
    assert app.bank_sees_change("bank-a", "OVERDUE", made_by_it=False)
    assert not app.bank_sees_change("bank-b", "OVERDUE", made_by_it=False)


def test_snapshots_keep_the_term_and_read_ones_stored_before_it() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(100_000, 0, date(2026, 6, 1))
    assert application_from_snapshot(application_snapshot(app)) == app
    old = application_snapshot(_app())
    for name in ("first_drawn_on", "maturity_date", "overdue_since"):
        del old[name]
    assert application_from_snapshot(old) == _app()
