"""Compensation (代偿): the guarantee company pays the lending bank part of an overdue loan.

One transaction, row locks in the money commands' order (line -> application ->
guarantor), so a compensation racing the lender's repayments cannot deadlock them and
sees their result: the application's repaid and compensated principal grow, the
guarantee it holds and the guarantor's used capacity fall by the amount, the line's
outstanding falls as for a repayment; the movement, the audit rows, the LoanCompensated
event and the idempotent response commit with it. Idempotent per guarantor and request
id. A refused compensation writes nothing. Only the guarantor of the loan's line may
compensate; to anyone else the loan is NOT_FOUND.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from g60common.money import MoneyError, check_fen_range

from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import business_date
from g60_credit.domain.errors import ApplicationNotFound, InvalidFields
from g60_credit.domain.guarantor_view import as_seen_by_guarantor, guarantor_sees
from g60_credit.domain.model import CreditLine
from g60_credit.domain.snapshots import application_snapshot, line_snapshot
from g60_credit.service_layer.commands import CompensateLoan
from g60_credit.service_layer.handlers import line_parties
from g60_credit.service_layer.idempotent import run_idempotent
from g60_credit.service_layer.money_handlers import (
    COMPENSATION,
    MovementResult,
    decode_movement,
    encode_movement,
    record_movement,
)
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork


def guarantor_caller(guarantor_id: str) -> str:
    return f"guarantor:{guarantor_id}"


async def compensate_loan(cmd: CompensateLoan, uow: CreditUnitOfWork) -> MovementResult:
    """Raises ApplicationNotFound (not the guarantor's loan), LoanNotOverdue,
    RepaymentExceedsOutstanding or CompensationExceedsGuarantee; InvalidFields for an
    amount that is not a positive int64."""
    try:
        check_fen_range(cmd.amount_fen, field="amount_fen")
    except MoneyError as exc:
        raise InvalidFields({"amount_fen": exc.reason}) from exc

    async def change() -> MovementResult:
        # Read without locks first: the parties lookup stays outside the row locks.
        app = await _guaranteed(uow, cmd, lock=False)
        parties = await line_parties(uow, app.bank_id, app.enterprise_id)
        line = await uow.lines.get_for_update(app.credit_line_id)
        assert line is not None, "an approval binds an existing line"
        app = await _guaranteed(uow, cmd, lock=True)
        before = (line_snapshot(line), application_snapshot(app))
        result = await _compensate(uow, line, app, cmd.amount_fen)
        await _record(uow, cmd, result, before, parties)
        return result

    codec = (encode_movement, decode_movement)
    result = await run_idempotent(uow, guarantor_caller(cmd.guarantor_id), cmd, change, codec)
    return replace(result, application=as_seen_by_guarantor(result.application))


async def _guaranteed(
    uow: CreditUnitOfWork, cmd: CompensateLoan, lock: bool
) -> FinancingApplication:
    """The loan, if it is on a line this guarantor backs (an approval binds its line for
    good, and a line's guarantor never changes)."""
    apps = uow.applications
    app = await (apps.get_for_update if lock else apps.get)(cmd.application_id)
    line = await uow.lines.get(app.credit_line_id) if app and app.credit_line_id else None
    if app is None or not guarantor_sees(app, line, cmd.guarantor_id):
        raise ApplicationNotFound(cmd.application_id)
    return app


async def _compensate(
    uow: CreditUnitOfWork, line: CreditLine, app: FinancingApplication, amount_fen: int
) -> MovementResult:
    """The line's repayment rule (available credit back only on a revolving line); the
    guarantee released is the amount, or all the loan still holds once nothing is left
    outstanding (as the last repayment does)."""
    release_fen = app.record_compensation(amount_fen)
    previous_version = line.version
    line.repay(amount_fen)
    await uow.lines.update(line, previous_version)
    await uow.applications.update(app, app.version)
    capacity = await uow.guarantors.get_for_update(line.guarantor_id)
    assert capacity is not None, "a guarantee was consumed, so capacity exists"
    capacity.release(release_fen)
    await uow.guarantors.save(capacity)
    moved_on = business_date(uow.now())
    return MovementResult(str(uuid.uuid4()), amount_fen, release_fen, line, app, moved_on)


async def _record(
    uow: CreditUnitOfWork,
    cmd: CompensateLoan,
    result: MovementResult,
    before: tuple[dict[str, Any], dict[str, Any]],
    parties: events.Parties,
) -> None:
    who = (guarantor_caller(cmd.guarantor_id), cmd.request_id)
    await record_movement(uow, COMPENSATION, who, result, before, parties)
