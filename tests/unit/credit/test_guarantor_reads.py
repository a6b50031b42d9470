"""A guarantee company reads its capacity and the loans on the lines it backs (fakes)."""

from __future__ import annotations

from datetime import date

import pytest
from g60_credit.domain import errors
from g60_credit.domain.guarantee import GuarantorCapacity, may_read_capacity
from g60_credit.domain.model import CreditLine, Product
from g60_credit.domain.parties import MemberView
from g60_credit.domain.queries import (
    ApplicationPageQuery,
    GuaranteedLoanQuery,
    LineQuery,
    Viewer,
)
from g60_credit.service_layer import financing_handlers, guarantor_handlers, handlers
from g60_credit.service_layer.commands import ApplyForFinancing, MoveFunds, SetGuarantorCapacity
from g60_credit.service_layer.money_handlers import move_funds, set_guarantor_capacity

from tests.unit.credit.credit_fakes import FakeDirectory, FakeUnitOfWork
from tests.unit.credit.test_credit_handlers import (
    BANK,
    ENT,
    GUARANTOR,
    _approved,
    _register,
    _world,
)

OTHER_GUARANTOR = MemberView(
    "00000000-0000-0000-0000-0000000000a2", "GUARANTEE", "330100", "ACTIVE", 1
)


async def _backed_loan() -> tuple[FakeUnitOfWork, FakeDirectory, str]:
    uow, directory = _world()
    uow.parties.members[OTHER_GUARANTOR.member_id] = OTHER_GUARANTOR
    app_id = await _approved(uow, directory, guarantor=GUARANTOR.member_id)
    await set_guarantor_capacity(
        SetGuarantorCapacity("ops", "r-cap", GUARANTOR.member_id, 300_000), uow, directory
    )
    await move_funds(MoveFunds(BANK.member_id, "r-draw", app_id, 200_000, False), uow)
    return uow, directory, app_id


def test_only_the_office_and_the_guarantor_itself_read_a_capacity() -> None:
    own = GUARANTOR.member_id
    assert may_read_capacity("operator", "office", own)
    assert may_read_capacity("guarantor", own, own)
    assert not may_read_capacity("guarantor", OTHER_GUARANTOR.member_id, own)
    assert not may_read_capacity("bank", own, own)  # the same id as another caller type
    assert not may_read_capacity("guarantor", "", "")


def test_available_capacity_never_goes_below_zero() -> None:
    lowered = GuarantorCapacity("g", capacity_fen=100, used_fen=150)
    assert (lowered.remaining_fen, lowered.available_fen) == (-50, 0)
    assert GuarantorCapacity("g", capacity_fen=100, used_fen=30).available_fen == 70


def test_a_guarantor_viewer_sees_only_the_lines_it_backs() -> None:
    day = date(2026, 1, 1)
    line = CreditLine("l1", BANK.member_id, "e1", Product.OTHER, "CNY", 1, True, day, day)
    # A line without a guarantor is no one's: not even a viewer with an empty id.
    assert not Viewer("guarantor", "").can_see(line)
    line.guarantor_id = GUARANTOR.member_id
    assert Viewer("guarantor", GUARANTOR.member_id).can_see(line)
    assert not Viewer("guarantor", BANK.member_id).can_see(line)
    assert not Viewer("bank", GUARANTOR.member_id).can_see(line)


async def test_capacity_reads_follow_the_rule_and_a_capacity_never_set_is_missing() -> None:
    uow, _, _ = await _backed_loan()
    own = await guarantor_handlers.get_guarantor_capacity(
        "guarantor", GUARANTOR.member_id, GUARANTOR.member_id, uow
    )
    assert (own.capacity_fen, own.used_fen, own.available_fen) == (300_000, 100_000, 200_000)
    office = await guarantor_handlers.get_guarantor_capacity(
        "operator", "office", GUARANTOR.member_id, uow
    )
    assert office == own
    for caller_type, caller_id, guarantor_id in [
        ("guarantor", OTHER_GUARANTOR.member_id, GUARANTOR.member_id),
        ("bank", BANK.member_id, GUARANTOR.member_id),
        ("enterprise", ENT.enterprise_id, GUARANTOR.member_id),
        ("guarantor", OTHER_GUARANTOR.member_id, OTHER_GUARANTOR.member_id),  # never set
        ("operator", "office", OTHER_GUARANTOR.member_id),
    ]:
        with pytest.raises(errors.GuarantorCapacityNotFound):
            await guarantor_handlers.get_guarantor_capacity(
                caller_type, caller_id, guarantor_id, uow
            )


async def test_a_guarantor_lists_the_lines_it_backs_and_no_others() -> None:
    uow, directory, _ = await _backed_loan()
    plain = _register()
    await handlers.register_credit_line(
        handlers.RegisterCreditLine(**{**vars(plain), "request_id": "r-plain"}), uow, directory
    )
    mine = await uow.lines.list_visible(LineQuery(Viewer("guarantor", GUARANTOR.member_id)))
    assert [line.guarantor_id for line in mine] == [GUARANTOR.member_id]
    other = LineQuery(Viewer("guarantor", OTHER_GUARANTOR.member_id))
    assert await uow.lines.list_visible(other) == []
    line_id = mine[0].credit_line_id
    found = await handlers.get_credit_line(Viewer("guarantor", GUARANTOR.member_id), line_id, uow)
    assert found == mine[0]
    with pytest.raises(errors.CreditLineNotFound):
        await handlers.get_credit_line(Viewer("guarantor", OTHER_GUARANTOR.member_id), line_id, uow)


async def test_a_guarantor_sees_the_loan_as_its_lender_does() -> None:
    uow, _, app_id = await _backed_loan()
    lender_view = await financing_handlers.get_application("bank", BANK.member_id, app_id, uow)
    seen = await guarantor_handlers.get_guaranteed_loan(GUARANTOR.member_id, app_id, uow)
    assert seen == lender_view and seen.disbursed_fen == 200_000
    listed = await guarantor_handlers.list_guaranteed_loans(
        GuaranteedLoanQuery(GUARANTOR.member_id), uow
    )
    assert listed == [lender_view]
    by_status = GuaranteedLoanQuery(GUARANTOR.member_id, status="APPROVED")
    assert await guarantor_handlers.list_guaranteed_loans(by_status, uow) == []
    page = ApplicationPageQuery(app_id)
    movements = await guarantor_handlers.guaranteed_movements(GUARANTOR.member_id, page, uow)
    assert movements == await financing_handlers.list_movements("bank", BANK.member_id, page, uow)


async def test_a_guarantor_reads_the_lender_s_history_without_request_ids() -> None:
    uow, _, app_id = await _backed_loan()
    page = ApplicationPageQuery(app_id)
    lender, _ = await financing_handlers.application_history("bank", BANK.member_id, page, uow)
    seen, last_read = await guarantor_handlers.guaranteed_history(GUARANTOR.member_id, page, uow)
    assert [e.action for e in seen] == ["APPLY", "APPROVE", "DRAWDOWN"]
    assert [e.action for e in lender] == [e.action for e in seen]
    assert [e.application for e in seen] == [e.application for e in lender]
    assert {e.request_id for e in lender} > {""} and {e.request_id for e in seen} == {""}
    assert last_read == 0


async def test_other_guarantors_and_unbound_applications_are_not_found() -> None:
    uow, directory, app_id = await _backed_loan()
    pending = await financing_handlers.apply_for_financing(
        ApplyForFinancing(ENT.enterprise_id, "r-app-2", BANK.member_id, "CNY", 1_000, 12, "kit"),
        uow,
        directory,
    )
    page = ApplicationPageQuery(app_id)
    stranger = OTHER_GUARANTOR.member_id
    for read in [
        guarantor_handlers.get_guaranteed_loan(stranger, app_id, uow),
        guarantor_handlers.guaranteed_movements(stranger, page, uow),
        guarantor_handlers.guaranteed_history(stranger, page, uow),
        # Not approved yet: bound to no line, so no guarantor's loan.
        guarantor_handlers.get_guaranteed_loan(GUARANTOR.member_id, pending.application_id, uow),
    ]:
        with pytest.raises(errors.ApplicationNotFound):
            await read
    assert await guarantor_handlers.list_guaranteed_loans(GuaranteedLoanQuery(stranger), uow) == []


async def test_a_loan_on_an_unguaranteed_line_is_no_guarantor_s() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    with pytest.raises(errors.ApplicationNotFound):
        await guarantor_handlers.get_guaranteed_loan(GUARANTOR.member_id, app_id, uow)


async def test_a_guarantor_lists_the_loans_it_backs_that_are_overdue() -> None:
    uow, _, app_id = await _backed_loan()
    overdue = GuaranteedLoanQuery(GUARANTOR.member_id, overdue=True)
    assert await guarantor_handlers.list_guaranteed_loans(overdue, uow) == []
    # The clock stays; the term is moved back so the loan matured a month ago.
    uow.store.rows[app_id].maturity_date = date(2026, 5, 1)
    late = await guarantor_handlers.list_guaranteed_loans(overdue, uow)
    assert [app.application_id for app in late] == [app_id]
    stranger = GuaranteedLoanQuery(OTHER_GUARANTOR.member_id, overdue=True)
    assert await guarantor_handlers.list_guaranteed_loans(stranger, uow) == []
