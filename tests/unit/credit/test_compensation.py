"""Compensation (代偿): the rules on the application, and the handler over fakes."""

from __future__ import annotations

from datetime import date

import pytest
from g60_credit.domain import errors, events
from g60_credit.domain.application import ApplicationStatus
from g60_credit.domain.queries import ApplicationPageQuery
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot
from g60_credit.service_layer import financing_handlers, guarantor_handlers, money_handlers
from g60_credit.service_layer.commands import CompensateLoan, MoveFunds, SetGuarantorCapacity
from g60_credit.service_layer.compensation_handlers import compensate_loan
from g60common.idempotency import IdempotencyConflict
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.credit.credit_fakes import FakeUnitOfWork
from tests.unit.credit.test_credit_handlers import BANK, ENT, GUARANTOR, _approved, _world
from tests.unit.credit.test_financing_application import TODAY, _app, _line
from tests.unit.credit.test_guarantor_reads import OTHER_GUARANTOR

G = GUARANTOR.member_id


def _overdue_app(drawn_fen: int = 100_000, share_fen: int = 50_000):  # type: ignore[no-untyped-def]
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(drawn_fen, share_fen, date(2026, 6, 1))
    app.mark_overdue(date(2027, 6, 2))
    return app


def test_only_an_overdue_loan_is_compensated() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 400_000, TODAY)
    app.record_drawdown(100_000, 50_000, date(2026, 6, 1))
    with pytest.raises(errors.LoanNotOverdue):
        app.record_compensation(1)
    assert (app.repaid_fen, app.compensated_fen, app.guarantee_fen) == (0, 0, 50_000)


def test_compensation_stays_within_outstanding_and_the_guarantee_held() -> None:
    app = _overdue_app()
    with pytest.raises(errors.CompensationExceedsGuarantee):
        app.record_compensation(50_001)
    app.record_repayment(60_000, 30_000)  # the SME pays part: 40,000 out, 20,000 held
    with pytest.raises(errors.CompensationExceedsGuarantee):
        app.record_compensation(20_001)
    full = _overdue_app(share_fen=100_000)
    with pytest.raises(errors.RepaymentExceedsOutstanding):
        full.record_compensation(100_001)
    assert (app.compensated_fen, full.compensated_fen) == (0, 0)


def test_compensation_repays_the_bank_and_releases_the_guarantee_by_the_amount() -> None:
    app = _overdue_app()
    version = app.version
    assert app.record_compensation(30_000) == 30_000
    assert (app.repaid_fen, app.compensated_fen, app.guarantee_fen) == (30_000, 30_000, 20_000)
    assert app.outstanding_fen == 70_000 and app.status is ApplicationStatus.DISBURSED
    assert app.version == version  # a money movement: versioned on the line


def test_a_compensation_that_leaves_nothing_outstanding_ends_the_loan() -> None:
    app = _app()
    app.approve("bank-a", _line("bank-a"), 100_000, TODAY)
    app.record_drawdown(100_000, 100_000, date(2026, 6, 1))  # full cover
    app.mark_overdue(date(2027, 6, 2))
    app.record_repayment(50_000, 40_000)  # a share released short of the amount
    # Whatever the loan still holds goes with the last fen, as on the last repayment.
    assert app.record_compensation(50_000) == 60_000
    assert (app.status, app.guarantee_fen, app.outstanding_fen) == (ApplicationStatus.REPAID, 0, 0)
    assert (app.repaid_fen, app.compensated_fen) == (100_000, 50_000)


def test_compensated_is_shown_to_the_lender_not_to_a_bank_that_lost() -> None:
    app = _overdue_app()
    app.record_compensation(10_000)
    assert app.as_seen_by_bank("bank-a").compensated_fen == 10_000
    assert app.as_seen_by_bank("bank-b").compensated_fen == 0
    assert app.bank_sees_change("bank-a", "COMPENSATE", made_by_it=False)
    assert not app.bank_sees_change("bank-b", "COMPENSATE", made_by_it=False)


def test_snapshots_keep_compensated_and_read_ones_stored_before_it() -> None:
    app = _overdue_app()
    app.record_compensation(10_000)
    assert application_from_snapshot(application_snapshot(app)) == app
    old = application_snapshot(_app())
    del old["compensated_fen"]
    assert application_from_snapshot(old) == _app()


async def _overdue_loan() -> tuple[FakeUnitOfWork, str]:
    """100,000 fen drawn on a half-guaranteed line, then marked overdue."""
    uow, directory = _world()
    uow.parties.members[OTHER_GUARANTOR.member_id] = OTHER_GUARANTOR
    app_id = await _approved(uow, directory, guarantor=G)
    await money_handlers.set_guarantor_capacity(
        SetGuarantorCapacity("ops", "r-cap", G, 1_000_000), uow, directory
    )
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 100_000, False), uow
    )
    return uow, app_id


async def test_the_guarantor_compensates_with_movement_audit_and_event() -> None:
    uow, app_id = await _overdue_loan()
    with pytest.raises(errors.LoanNotOverdue):
        await compensate_loan(CompensateLoan(G, "r-c", app_id, 1), uow)
    assert await financing_handlers.mark_overdue_loans(uow, date(2027, 6, 2), 10) == 1
    done = await compensate_loan(CompensateLoan(G, "r-c", app_id, 30_000), uow)
    assert (done.amount_fen, done.guarantee_fen) == (30_000, 30_000)
    assert (done.application.repaid_fen, done.application.compensated_fen) == (30_000, 30_000)
    assert done.application.guarantee_fen == 20_000
    assert (done.line.outstanding_fen, done.line.utilized_fen) == (70_000, 70_000)  # revolving
    capacity = await uow.guarantors.get(G)
    assert capacity is not None and capacity.used_fen == 20_000
    event = uow.events[-1]
    assert isinstance(event, events.LoanCompensated)
    assert (event.compensation_id, event.line.version) == (done.movement_id, done.line.version)
    query = ApplicationPageQuery(app_id)
    moves = await guarantor_handlers.guaranteed_movements(G, query, uow)
    assert [(m.kind, m.amount_fen, m.repaid_after_fen) for m in moves][-1] == (
        "COMPENSATION",
        30_000,
        30_000,
    )
    history, _ = await financing_handlers.application_history(
        "enterprise", ENT.enterprise_id, query, uow
    )
    assert (history[-1].action, history[-1].actor) == ("COMPENSATE", f"guarantor:{G}")


async def test_a_compensation_is_idempotent_per_guarantor_and_request_id() -> None:
    uow, app_id = await _overdue_loan()
    await financing_handlers.mark_overdue_loans(uow, date(2027, 6, 2), 10)
    cmd = CompensateLoan(G, "r-c", app_id, 30_000)
    first = await compensate_loan(cmd, uow)
    commits, published = uow.commits, len(uow.events)
    assert await compensate_loan(cmd, uow) == first
    with pytest.raises(IdempotencyConflict):
        await compensate_loan(CompensateLoan(G, "r-c", app_id, 30_001), uow)
    assert (uow.commits, len(uow.events)) == (commits, published)


async def test_no_one_but_the_line_s_guarantor_compensates_and_refusals_write_nothing() -> None:
    uow, app_id = await _overdue_loan()
    await financing_handlers.mark_overdue_loans(uow, date(2027, 6, 2), 10)
    commits, published = uow.commits, len(uow.events)
    for who in (OTHER_GUARANTOR.member_id, BANK.member_id, ENT.enterprise_id):
        with pytest.raises(errors.ApplicationNotFound):
            await compensate_loan(CompensateLoan(who, "r-c", app_id, 1), uow)
    with pytest.raises(errors.ApplicationNotFound):
        await compensate_loan(
            CompensateLoan(G, "r-c", "00000000-0000-0000-0000-000000000000", 1), uow
        )
    with pytest.raises(errors.CompensationExceedsGuarantee):
        await compensate_loan(CompensateLoan(G, "r-c", app_id, 50_001), uow)
    for bad in (0, -1, 2**63):
        with pytest.raises(errors.InvalidFields) as raised:
            await compensate_loan(CompensateLoan(G, "r-c", app_id, bad), uow)
        assert "amount_fen" in raised.value.violations
    assert (uow.commits, len(uow.events)) == (commits, published)
    assert not any(caller.startswith("guarantor:") for caller, _ in uow.requests)


@given(
    cover_bp=st.integers(1, 10_000),
    drawn_fen=st.integers(1, 10**9),
    steps=st.lists(st.tuples(st.booleans(), st.integers(1, 10**9)), max_size=30),
)
def test_repayments_and_compensations_keep_the_loan_s_sums_exact(
    cover_bp: int, drawn_fen: int, steps: list[tuple[bool, int]]
) -> None:
    """Any mix of the lender's repayments and the guarantor's compensations, refused or
    not: repaid within disbursed, compensated within repaid, the guarantee held never
    below 0 and equal to what was consumed less what was released."""
    line = _line("bank-a", guarantor_id="g1", cover_ratio_bp=cover_bp)
    line.limit_fen = 10**10
    app = _app()
    app.approve("bank-a", line, min(drawn_fen, app.amount_fen), TODAY)
    drawn_fen = app.approved_fen
    consumed_fen = line.guarantee_share_fen(drawn_fen)
    app.record_drawdown(drawn_fen, consumed_fen, date(2026, 6, 1))
    app.mark_overdue(date(2027, 6, 2))
    released_fen = compensated_fen = 0
    for by_guarantor, amount_fen in steps:
        try:
            if by_guarantor:
                released_fen += app.record_compensation(amount_fen)
                compensated_fen += amount_fen
            else:
                released_fen += app.record_repayment(
                    amount_fen, line.guarantee_share_fen(amount_fen)
                )
        except errors.CreditPreconditionFailed:
            continue
        assert 0 <= app.compensated_fen <= app.repaid_fen <= app.disbursed_fen
        assert app.guarantee_fen == consumed_fen - released_fen >= 0
    assert app.compensated_fen == compensated_fen
    assert (app.outstanding_fen == 0) == (app.status is ApplicationStatus.REPAID)
    if app.outstanding_fen == 0:
        assert app.guarantee_fen == 0
