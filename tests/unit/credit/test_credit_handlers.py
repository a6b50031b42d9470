"""Service-layer handlers over fakes: idempotency, rollback, read-through, expiry."""

from __future__ import annotations

from datetime import date

import pytest
from g60_credit.domain import errors, events
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.domain.queries import (
    ApplicationPageQuery,
    HistoryEntry,
    LineQuery,
    MovementRecord,
    Viewer,
)
from g60_credit.service_layer import financing_handlers, handlers, line_handlers, money_handlers
from g60_credit.service_layer.commands import (
    ApplyForFinancing,
    ChangeCreditLine,
    DecideFinancing,
    LineAction,
    MoveFunds,
    SetGuarantorCapacity,
)
from g60common.idempotency import IdempotencyConflict

from tests.unit.credit.credit_fakes import FakeDirectory, FakeUnitOfWork

BANK = MemberView("00000000-0000-0000-0000-0000000000b1", "BANK", "330100", "ACTIVE", 1)
GUARANTOR = MemberView("00000000-0000-0000-0000-0000000000a1", "GUARANTEE", "330100", "ACTIVE", 1)
ENT = EnterpriseView(
    "00000000-0000-0000-0000-0000000000e1", "330100", "", "NEW_MATERIALS", "SMALL", "ACTIVE", 1
)


def _world() -> tuple[FakeUnitOfWork, FakeDirectory]:
    uow = FakeUnitOfWork()
    uow.parties.enterprises[ENT.enterprise_id] = ENT
    uow.parties.members[GUARANTOR.member_id] = GUARANTOR
    return uow, FakeDirectory(uow, {BANK.member_id: BANK})


def _register(guarantor: str = "", valid_to: str = "2026-12-31") -> handlers.RegisterCreditLine:
    return handlers.RegisterCreditLine(
        BANK.member_id,
        "r-line",
        ENT.enterprise_id,
        "WORKING_CAPITAL",
        "CNY",
        1_000_000,
        True,
        "2026-01-01",
        valid_to,
        guarantor,
        5_000 if guarantor else 0,
    )


async def _approved(uow: FakeUnitOfWork, directory: FakeDirectory, **kw: str) -> str:
    line = await handlers.register_credit_line(_register(**kw), uow, directory)
    app = await financing_handlers.apply_for_financing(
        ApplyForFinancing(ENT.enterprise_id, "r-app", BANK.member_id, "CNY", 800_000, 12, "kit"),
        uow,
        directory,
    )
    await financing_handlers.decide_financing(
        DecideFinancing(BANK.member_id, "r-ok", app.application_id, True, line.credit_line_id),
        uow,
    )
    return app.application_id


async def test_unknown_bank_is_looked_up_once_then_known() -> None:
    uow, directory = _world()
    await handlers.register_credit_line(_register(), uow, directory)
    assert directory.lookups == 1
    second = _register()
    await handlers.register_credit_line(
        handlers.RegisterCreditLine(**{**vars(second), "request_id": "r-2"}), uow, directory
    )
    assert directory.lookups == 1


async def test_a_replayed_drawdown_returns_the_first_response_and_writes_nothing() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    draw = MoveFunds(BANK.member_id, "r-draw", app_id, 300_000, repayment=False)
    first = await money_handlers.move_funds(draw, uow)
    commits, published = uow.commits, len(uow.events)
    again = await money_handlers.move_funds(draw, uow)
    assert again == first
    assert len(uow.events) == published
    with pytest.raises(IdempotencyConflict):
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, "r-draw", app_id, 1, repayment=False), uow
        )
    assert (uow.commits, len(uow.events)) == (commits, published)
    assert isinstance(uow.events[-1], events.FundsDisbursed)


async def test_short_guarantor_rolls_back_the_line_too() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory, guarantor=GUARANTOR.member_id)
    await money_handlers.set_guarantor_capacity(
        SetGuarantorCapacity("ops", "r-cap", GUARANTOR.member_id, 100_000), uow, directory
    )
    with pytest.raises(errors.GuarantorCapacityExceeded):
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, "r-big", app_id, 200_002, repayment=False), uow
        )
    lines = await uow.lines.list_visible(LineQuery(Viewer("bank", BANK.member_id)))
    assert lines[0].utilized_fen == 0
    ok = await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-fits", app_id, 200_000, repayment=False), uow
    )
    assert (ok.line.utilized_fen, ok.guarantee_fen) == (200_000, 100_000)


async def test_a_capacity_setting_is_an_event_versioned_apart_from_consumption() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory, guarantor=GUARANTOR.member_id)

    async def set_capacity(request_id: str, capacity_fen: int) -> events.GuarantorCapacitySet:
        cmd = SetGuarantorCapacity("ops", request_id, GUARANTOR.member_id, capacity_fen)
        await money_handlers.set_guarantor_capacity(cmd, uow, directory)
        assert isinstance(uow.events[-1], events.GuarantorCapacitySet)
        return uow.events[-1]

    first = await set_capacity("r-cap-1", 100_000)
    assert (first.capacity.capacity_version, first.previous_capacity_fen) == (1, 0)
    assert (first.guarantor, first.operator_id) == (GUARANTOR, "ops")
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 100_000, repayment=False), uow
    )
    second = await set_capacity("r-cap-2", 80_000)
    # Consumption moved the row's version, not the settings' event version.
    assert (second.capacity.capacity_version, second.previous_capacity_fen) == (2, 100_000)
    assert second.capacity.used_fen == 50_000


async def test_the_sweeper_expires_lines_past_their_window() -> None:
    uow, directory = _world()
    await handlers.register_credit_line(_register(valid_to="2026-03-31"), uow, directory)
    assert await line_handlers.expire_due_lines(uow, date(2026, 4, 1), 10) == 1
    assert isinstance(uow.events[-1], events.CreditLineExpired)
    assert uow.events[-1].line.version == 2
    assert await line_handlers.expire_due_lines(uow, date(2026, 4, 2), 10) == 0


async def test_a_deregistered_enterprise_gets_no_new_money_but_can_repay() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-first", app_id, 300_000, repayment=False), uow
    )
    gone = EnterpriseView(**{**vars(ENT), "status": "DEREGISTERED", "version": 2})
    uow.parties.enterprises[ENT.enterprise_id] = gone
    with pytest.raises(errors.EnterpriseNotActive):
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, "r-more", app_id, 1_000, repayment=False), uow
        )
    repaid = await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-repay", app_id, 300_000, repayment=True), uow
    )
    assert repaid.line.utilized_fen == 0


async def test_a_pending_enterprise_can_neither_apply_nor_be_approved() -> None:
    uow, directory = _world()
    line = await handlers.register_credit_line(_register(), uow, directory)
    app = await financing_handlers.apply_for_financing(
        ApplyForFinancing(ENT.enterprise_id, "r-app", BANK.member_id, "CNY", 800_000, 12, "kit"),
        uow,
        directory,
    )
    pending = EnterpriseView(**{**vars(ENT), "status": "PENDING_VERIFICATION", "version": 2})
    uow.parties.enterprises[ENT.enterprise_id] = pending
    with pytest.raises(errors.EnterpriseNotActive, match="PENDING_VERIFICATION"):
        await financing_handlers.apply_for_financing(
            ApplyForFinancing(ENT.enterprise_id, "r-2", BANK.member_id, "CNY", 1_000, 12, "kit"),
            uow,
            directory,
        )
    with pytest.raises(errors.EnterpriseNotActive):
        await financing_handlers.decide_financing(
            DecideFinancing(BANK.member_id, "r-ok", app.application_id, True, line.credit_line_id),
            uow,
        )


async def test_an_sme_is_not_told_why_a_bank_takes_no_applications() -> None:
    """Suspension or withdrawal is between the bank and the alliance office."""
    refusals = set()
    for status in ("SUSPENDED", "WITHDRAWN"):
        uow, directory = _world()
        directory.remote[BANK.member_id] = MemberView(**{**vars(BANK), "status": status})
        with pytest.raises(errors.BankNotActive) as refused:
            await financing_handlers.apply_for_financing(
                ApplyForFinancing(ENT.enterprise_id, "r", BANK.member_id, "CNY", 1_000, 12, "kit"),
                uow,
                directory,
            )
        assert status not in str(refused.value)
        refusals.add(str(refused.value))
    assert len(refusals) == 1


async def test_a_bank_that_is_not_active_grants_no_new_credit_but_serves_its_loans() -> None:
    """Only ACTIVE banks grant credit: no approval, no higher limit. What it granted
    while ACTIVE it still serves: tranches of approved financing, repayments, lower
    limits, freezing and closing (as a withdrawn bank keeps its keys to do)."""
    for status in ("SUSPENDED", "WITHDRAWN"):
        uow, directory = _world()
        line = await handlers.register_credit_line(_register(), uow, directory)
        approved = await _approved(uow, directory)
        pending = await financing_handlers.apply_for_financing(
            ApplyForFinancing(ENT.enterprise_id, "r-2", BANK.member_id, "CNY", 1_000, 12, "kit"),
            uow,
            directory,
        )
        uow.parties.members[BANK.member_id] = MemberView(**{**vars(BANK), "status": status})
        with pytest.raises(errors.BankNotActive):
            await financing_handlers.decide_financing(
                DecideFinancing(
                    BANK.member_id, "r-yes", pending.application_id, True, line.credit_line_id
                ),
                uow,
            )
        with pytest.raises(errors.BankNotActive):
            await line_handlers.change_credit_line(_amend(line.credit_line_id, 2_000_000), uow)
        await line_handlers.change_credit_line(_amend(line.credit_line_id, 900_000), uow)
        await financing_handlers.decide_financing(
            DecideFinancing(BANK.member_id, "r-no", pending.application_id, False), uow
        )
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, "r-draw", approved, 1_000, repayment=False), uow
        )
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, "r-repay", approved, 1_000, repayment=True), uow
        )


def _amend(credit_line_id: str, new_limit_fen: int) -> ChangeCreditLine:
    return ChangeCreditLine(
        BANK.member_id,
        f"r-amend-{new_limit_fen}",
        credit_line_id,
        LineAction.AMEND,
        "review",
        new_limit_fen,
    )


async def test_movements_are_the_lender_s_and_the_applicant_s_in_order_with_totals() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    for request_id, amount_fen, repayment in [
        ("r-1", 300_000, False),
        ("r-2", 100_000, True),
        ("r-3", 200_000, False),
    ]:
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, request_id, app_id, amount_fen, repayment), uow
        )

    async def read(
        caller_type: str, caller_id: str, after: int = 0, limit: int = 50
    ) -> list[MovementRecord]:
        query = ApplicationPageQuery(app_id, after, limit)
        return await financing_handlers.list_movements(caller_type, caller_id, query, uow)

    by_sme = await read("enterprise", ENT.enterprise_id)
    assert await read("bank", BANK.member_id) == by_sme
    assert [(m.kind, m.amount_fen) for m in by_sme] == [
        ("DRAWDOWN", 300_000),
        ("REPAYMENT", 100_000),
        ("DRAWDOWN", 200_000),
    ]
    assert [m.outstanding_after_fen for m in by_sme] == [300_000, 200_000, 400_000]
    assert (by_sme[-1].disbursed_after_fen, by_sme[-1].repaid_after_fen) == (500_000, 100_000)
    first = await read("enterprise", ENT.enterprise_id, limit=2)
    rest = await read("enterprise", ENT.enterprise_id, after=first[-1].sequence)
    assert first + rest == by_sme
    for stranger in [("bank", GUARANTOR.member_id), ("enterprise", BANK.member_id)]:
        with pytest.raises(errors.ApplicationNotFound):
            await read(*stranger)


async def test_the_history_shows_each_reader_the_changes_it_may_read() -> None:
    uow, directory = _world()
    rival = MemberView("00000000-0000-0000-0000-0000000000b2", "BANK", "330100", "ACTIVE", 1)
    uow.parties.members.update({BANK.member_id: BANK, rival.member_id: rival})
    line = await handlers.register_credit_line(_register(), uow, directory)
    app = await financing_handlers.apply_for_financing(
        ApplyForFinancing(ENT.enterprise_id, "r-app", "", "CNY", 800_000, 12, "kit"),
        uow,
        directory,
    )
    app_id = app.application_id
    await financing_handlers.decide_financing(
        DecideFinancing(rival.member_id, "r-no", app_id, False, reason="thin file"), uow
    )
    await financing_handlers.decide_financing(
        DecideFinancing(BANK.member_id, "r-ok", app_id, True, line.credit_line_id), uow
    )
    await money_handlers.move_funds(MoveFunds(BANK.member_id, "r-draw", app_id, 1_000, False), uow)

    async def read(
        caller_type: str, caller_id: str, after: int = 0, limit: int = 50
    ) -> tuple[list[HistoryEntry], int]:
        query = ApplicationPageQuery(app_id, after, limit)
        return await financing_handlers.application_history(caller_type, caller_id, query, uow)

    def summary(entries: list[HistoryEntry]) -> list[tuple[str, str, int, str]]:
        return [
            (e.action, e.request_id, e.application.version, e.application.status) for e in entries
        ]

    applicant, _ = await read("enterprise", ENT.enterprise_id)
    assert summary(applicant) == [
        ("APPLY", "r-app", 1, "SUBMITTED"),
        ("REJECT", "", 2, "SUBMITTED"),
        ("APPROVE", "", 3, "APPROVED"),
        ("DRAWDOWN", "", 3, "DISBURSED"),
    ]
    lender, _ = await read("bank", BANK.member_id)
    assert summary(lender) == [
        ("APPLY", "", 1, "SUBMITTED"),
        ("APPROVE", "r-ok", 2, "APPROVED"),
        ("DRAWDOWN", "r-draw", 2, "DISBURSED"),
    ]
    assert lender[0].application.target_bank_ids == (BANK.member_id,)
    assert lender[1].application.declined_bank_ids == ()
    decliner, _ = await read("bank", rival.member_id)
    assert summary(decliner) == [
        ("APPLY", "", 1, "SUBMITTED"),
        ("REJECT", "r-no", 2, "SUBMITTED"),
        ("APPROVE", "", 3, "APPROVED"),
    ]
    assert decliner[-1].application.disbursed_fen == 0
    # Pages skip what the reader may not see and go on after it.
    first, token = await read("bank", BANK.member_id, limit=1)
    second, token2 = await read("bank", BANK.member_id, after=token, limit=1)
    third, token3 = await read("bank", BANK.member_id, after=token2, limit=1)
    assert first + second + third == lender and token3
    assert await read("bank", BANK.member_id, after=token3, limit=1) == ([], 0)
    with pytest.raises(errors.ApplicationNotFound):
        await read("enterprise", GUARANTOR.member_id)


async def test_a_late_loan_is_marked_overdue_once_with_its_event_and_audit() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory, guarantor=GUARANTOR.member_id)
    capacity = SetGuarantorCapacity("ops", "r-cap", GUARANTOR.member_id, 1_000_000)
    await money_handlers.set_guarantor_capacity(capacity, uow, directory)
    await money_handlers.move_funds(
        MoveFunds(BANK.member_id, "r-draw", app_id, 100_000, repayment=False), uow
    )
    drawn = await uow.applications.get(app_id)
    assert drawn is not None and drawn.maturity_date == date(2027, 6, 1)  # 12 months
    assert await financing_handlers.mark_overdue_loans(uow, date(2027, 6, 1), 10) == 0
    assert await financing_handlers.mark_overdue_loans(uow, date(2027, 6, 2), 10) == 1
    event = uow.events[-1]
    assert isinstance(event, events.LoanOverdue)
    assert event.guarantor_id == GUARANTOR.member_id
    assert event.application.overdue_since == date(2027, 6, 2)
    assert event.application.version == drawn.version + 1
    assert event.application.guarantee_fen == 50_000
    assert await financing_handlers.mark_overdue_loans(uow, date(2027, 7, 1), 10) == 0
    history, _ = await financing_handlers.application_history(
        "enterprise", ENT.enterprise_id, ApplicationPageQuery(app_id), uow
    )
    assert history[-1].action == "OVERDUE"
    assert history[-1].actor == financing_handlers.OVERDUE_SWEEPER_ACTOR


async def test_a_loan_repaid_before_maturity_is_never_overdue() -> None:
    uow, directory = _world()
    app_id = await _approved(uow, directory)
    for rid, repayment in (("r-draw", False), ("r-repay", True)):
        await money_handlers.move_funds(
            MoveFunds(BANK.member_id, rid, app_id, 100_000, repayment=repayment), uow
        )
    assert await financing_handlers.mark_overdue_loans(uow, date(2030, 1, 1), 10) == 0


async def test_a_line_change_on_a_stale_version_is_refused_and_writes_nothing() -> None:
    uow, directory = _world()
    line = await handlers.register_credit_line(_register(), uow, directory)
    commits, published = uow.commits, len(uow.events)
    stale = ChangeCreditLine(
        BANK.member_id, "r-cut", line.credit_line_id, LineAction.AMEND, "cut", 500_000, 2
    )
    with pytest.raises(errors.StaleVersion):
        await line_handlers.change_credit_line(stale, uow)
    assert (uow.commits, len(uow.events)) == (commits, published)
    current = ChangeCreditLine(
        BANK.member_id, "r-freeze", line.credit_line_id, LineAction.FREEZE, "risk", 0, 1
    )
    assert (await line_handlers.change_credit_line(current, uow)).version == 2


def test_a_command_without_expected_version_keeps_the_fingerprint_stored_before_it() -> None:
    """Retries that span the upgrade which added expected_version still match."""
    import hashlib
    import json

    from g60_credit.service_layer.idempotent import fingerprint

    unchecked = ChangeCreditLine(BANK.member_id, "r-1", "line-1", LineAction.FREEZE, "risk")
    before = {k: v for k, v in vars(unchecked).items() if k != "expected_version"}
    stored = hashlib.sha256(
        b"ChangeCreditLine" + json.dumps(before, sort_keys=True).encode()
    ).digest()
    assert fingerprint(unchecked) == stored
    checked = ChangeCreditLine(BANK.member_id, "r-1", "line-1", LineAction.FREEZE, "risk", 0, 1)
    assert fingerprint(checked) != stored
