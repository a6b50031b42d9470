"""Drawdowns (放款), repayments and guarantor capacity.

A drawdown row-locks the line, then the application, then the guarantor (always
in that order, so no two money commands deadlock), and commits the line, the
application, the guarantor's capacity, the movement, the audit rows, the event and
the idempotent response together. The line's UPDATE re-checks available credit in
SQL and the CHECK constraint backs it: available never goes negative. If either the
line or the guarantor is short, the transaction rolls back and neither is consumed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from g60common.money import MoneyError, check_fen_range

from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import business_date, iso_date
from g60_credit.domain.errors import (
    ApplicationNotDrawable,
    ApplicationNotFound,
    CreditLineNotFound,
    InvalidFields,
)
from g60_credit.domain.guarantee import GuarantorCapacity
from g60_credit.domain.model import CreditLine
from g60_credit.domain.snapshots import (
    application_from_snapshot,
    application_snapshot,
    capacity_from_snapshot,
    capacity_snapshot,
    line_from_snapshot,
    line_snapshot,
)
from g60_credit.service_layer.commands import MoveFunds, SetGuarantorCapacity
from g60_credit.service_layer.financing_handlers import APPLICATION
from g60_credit.service_layer.handlers import (
    LINE,
    bank_caller,
    check_can_guarantee,
    check_known_enterprise,
    check_party_ids,
    line_parties,
)
from g60_credit.service_layer.idempotent import audit, audit_entry, run_idempotent
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork, PartyDirectory

GUARANTOR = "GuarantorCapacity"


@dataclass(frozen=True)
class MovementResult:
    movement_id: str
    amount_fen: int
    guarantee_fen: int
    line: CreditLine
    application: FinancingApplication
    # The Shanghai business date of the movement: the answer's days past due count to
    # it, so a replay answers as the first time. None in answers stored before it was.
    moved_on: date | None = None


def encode_movement(result: MovementResult) -> dict[str, Any]:
    return {
        "movement_id": result.movement_id,
        "amount_fen": result.amount_fen,
        "guarantee_fen": result.guarantee_fen,
        "line": line_snapshot(result.line),
        "application": application_snapshot(result.application),
        "moved_on": iso_date(result.moved_on),
    }


def decode_movement(data: dict[str, Any]) -> MovementResult:
    moved_on = data.get("moved_on")
    return MovementResult(
        data["movement_id"],
        data["amount_fen"],
        data["guarantee_fen"],
        line_from_snapshot(data["line"]),
        application_from_snapshot(data["application"]),
        date.fromisoformat(moved_on) if moved_on else None,
    )


async def move_funds(cmd: MoveFunds, uow: CreditUnitOfWork) -> MovementResult:
    """Only the approving bank moves funds; anyone else gets ApplicationNotFound."""
    try:
        check_fen_range(cmd.amount_fen, field="amount_fen")
    except MoneyError as exc:
        raise InvalidFields({"amount_fen": exc.reason}) from exc

    async def change() -> MovementResult:
        # Read without locks first: the parties lookups stay outside the row locks.
        app = _approved_by(cmd, await uow.applications.get(cmd.application_id))
        parties = await line_parties(uow, cmd.bank_id, app.enterprise_id)
        if not cmd.repayment:
            # Repayments are always taken; new money only goes to an ACTIVE enterprise.
            check_known_enterprise(parties.enterprise, app.enterprise_id)
        line = await uow.lines.get_for_update(app.credit_line_id)
        if line is None or line.bank_id != cmd.bank_id:
            raise CreditLineNotFound(app.credit_line_id)
        app = _approved_by(cmd, await uow.applications.get_for_update(cmd.application_id))
        before = (line_snapshot(line), application_snapshot(app))
        result = await (
            _repay(uow, line, app, cmd) if cmd.repayment else _draw(uow, line, app, cmd)
        )
        await _record_movement(uow, cmd, result, before, parties)
        return result

    codec = (encode_movement, decode_movement)
    result = await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, codec)
    # The lender too sees only its own decline among the application's.
    return replace(result, application=result.application.as_seen_by_bank(cmd.bank_id))


@dataclass(frozen=True)
class MovementNames:
    """What one kind of money movement is called where it is recorded."""

    audit_action: str
    movement_kind: str  # credit_movements.kind
    event: type[events.FundsDisbursed] | type[events.LoanRepaid] | type[events.LoanCompensated]


DRAWDOWN = MovementNames("DRAWDOWN", "DRAWDOWN", events.FundsDisbursed)
REPAYMENT = MovementNames("REPAY", "REPAYMENT", events.LoanRepaid)
COMPENSATION = MovementNames("COMPENSATE", "COMPENSATION", events.LoanCompensated)


async def _record_movement(
    uow: CreditUnitOfWork,
    cmd: MoveFunds,
    result: MovementResult,
    before: tuple[dict[str, Any], dict[str, Any]],
    parties: events.Parties,
) -> None:
    names = REPAYMENT if cmd.repayment else DRAWDOWN
    who = (bank_caller(cmd.bank_id), cmd.request_id)
    await record_movement(uow, names, who, result, before, parties)


async def record_movement(
    uow: CreditUnitOfWork,
    names: MovementNames,
    who: tuple[str, str],
    result: MovementResult,
    before: tuple[dict[str, Any], dict[str, Any]],
    parties: events.Parties,
) -> None:
    """Audit rows on the line and the application, the movement row and the event, in
    the movement's transaction. `who` is (actor, request id)."""
    line, app, action = result.line, result.application, names.audit_action
    await uow.audit.record(
        audit_entry((LINE, line.credit_line_id), action, who, before[0], line_snapshot(line)),
        audit_entry(
            (APPLICATION, app.application_id), action, who, before[1], application_snapshot(app)
        ),
    )
    amounts = (result.amount_fen, result.guarantee_fen)
    movement_id = result.movement_id
    await uow.applications.add_movement(
        movement_id, names.movement_kind, app, amounts, line.version
    )
    await uow.publish(names.event(movement_id, *amounts, line, app, parties))


def _approved_by(cmd: MoveFunds, app: FinancingApplication | None) -> FinancingApplication:
    if app is None or not app.is_visible_to_bank(cmd.bank_id):
        raise ApplicationNotFound(cmd.application_id)
    if not app.credit_line_id:
        raise ApplicationNotDrawable(f"application is {app.status}, not approved")
    if app.bank_id != cmd.bank_id:
        raise ApplicationNotFound(cmd.application_id)
    return app


async def _draw(
    uow: CreditUnitOfWork, line: CreditLine, app: FinancingApplication, cmd: MoveFunds
) -> MovementResult:
    share_fen = line.guarantee_share_fen(cmd.amount_fen)
    # The line's state is checked first: "frozen" says more than "approval used up".
    today = business_date(uow.now())
    line.draw_down(cmd.amount_fen, today)
    app.record_drawdown(cmd.amount_fen, share_fen, today)
    await uow.lines.draw_down(line, cmd.amount_fen)
    await uow.applications.update(app, app.version)
    if share_fen:
        capacity = await uow.guarantors.get_for_update(line.guarantor_id)
        capacity = capacity or GuarantorCapacity(line.guarantor_id)
        capacity.consume(share_fen)
        await uow.guarantors.consume(capacity, share_fen)
    return MovementResult(str(uuid.uuid4()), cmd.amount_fen, share_fen, line, app, today)


async def _repay(
    uow: CreditUnitOfWork, line: CreditLine, app: FinancingApplication, cmd: MoveFunds
) -> MovementResult:
    """Restores available credit only on revolving lines; always gives the
    guarantor its share back (its exposure follows outstanding principal)."""
    release_fen = app.record_repayment(cmd.amount_fen, line.guarantee_share_fen(cmd.amount_fen))
    previous_version = line.version
    line.repay(cmd.amount_fen)
    await uow.lines.update(line, previous_version)
    await uow.applications.update(app, app.version)
    if release_fen:
        capacity = await uow.guarantors.get_for_update(line.guarantor_id)
        assert capacity is not None, "a guarantee share was consumed, so capacity exists"
        capacity.release(release_fen)
        await uow.guarantors.save(capacity)
    moved_on = business_date(uow.now())
    return MovementResult(str(uuid.uuid4()), cmd.amount_fen, release_fen, line, app, moved_on)


async def set_guarantor_capacity(
    cmd: SetGuarantorCapacity, uow: CreditUnitOfWork, directory: PartyDirectory
) -> GuarantorCapacity:
    """Operator only (checked by the entrypoint). Lowering below what is in use only
    blocks new guaranteed drawdowns."""
    try:
        check_fen_range(cmd.capacity_fen, field="capacity_fen", allow_zero=True)
    except MoneyError as exc:
        raise InvalidFields({"capacity_fen": exc.reason}) from exc
    check_party_ids({"guarantor_id": cmd.guarantor_id})
    await directory.ensure_known([cmd.guarantor_id], [])

    async def change() -> GuarantorCapacity:
        guarantor = await uow.parties.member(cmd.guarantor_id)
        check_can_guarantee(guarantor, cmd.guarantor_id)
        assert guarantor is not None
        capacity = await uow.guarantors.lock_for_setting(cmd.guarantor_id)
        before = None if capacity is None else capacity_snapshot(capacity)
        capacity = capacity or GuarantorCapacity(cmd.guarantor_id, version=0)
        previous_fen = capacity.set_capacity(cmd.capacity_fen)
        await uow.guarantors.save(capacity)
        who = (f"operator:{cmd.operator_id}", cmd.request_id)
        await audit(
            uow,
            (GUARANTOR, cmd.guarantor_id),
            "SET_CAPACITY",
            who,
            before,
            capacity_snapshot(capacity),
        )
        await uow.publish(
            events.GuarantorCapacitySet(capacity, guarantor, previous_fen, cmd.operator_id)
        )
        return capacity

    codec = (capacity_snapshot, capacity_from_snapshot)
    return await run_idempotent(uow, f"operator:{cmd.operator_id}", cmd, change, codec)
