"""Changes to a credit line's terms and status: amend, freeze, unfreeze, close, expire.

Each runs in one transaction with the line row-locked: the audit row, the outbox
event and the idempotent response commit with the change or not at all. Failure
modes: CreditLineNotFound (missing or another bank's), the domain's precondition
errors, InvalidFields, IdempotencyConflict.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from g60common.money import MoneyError, check_fen_range

from g60_credit.domain import events
from g60_credit.domain.errors import CreditLineNotFound, InvalidFields
from g60_credit.domain.events import Parties
from g60_credit.domain.model import CreditLine
from g60_credit.domain.snapshots import line_snapshot
from g60_credit.service_layer.commands import ChangeCreditLine, LineAction
from g60_credit.service_layer.handlers import (
    LINE,
    LINE_CODEC,
    bank_caller,
    check_can_grant,
    line_parties,
)
from g60_credit.service_layer.idempotent import audit, run_idempotent
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork

MAX_REASON_CHARS = 500
SWEEPER_ACTOR = "system:expiry-sweeper"

EventFactory = Callable[[Parties], events.LineEvent]


def validate_change(cmd: ChangeCreditLine) -> None:
    violations: dict[str, str] = {}
    if len(cmd.reason) > MAX_REASON_CHARS:
        violations["reason"] = f"at most {MAX_REASON_CHARS} characters"
    if cmd.expected_version < 0:
        violations["expected_version"] = "must be a version (1 or more), or 0 for none"
    if cmd.action is LineAction.AMEND:
        try:
            check_fen_range(cmd.new_limit_fen, field="new_limit_fen")
        except MoneyError as exc:
            violations["new_limit_fen"] = exc.reason
    if violations:
        raise InvalidFields(violations)


def apply_action(line: CreditLine, cmd: ChangeCreditLine) -> EventFactory:
    """Runs the domain command; returns how to build its event once parties are known."""
    reason = cmd.reason
    match cmd.action:
        case LineAction.AMEND:
            previous = line.amend_limit(cmd.new_limit_fen)
            return lambda p: events.CreditLineAmended(line, p, previous, reason)
        case LineAction.FREEZE:
            line.freeze()
            return lambda p: events.CreditLineFrozen(line, p, reason)
        case LineAction.UNFREEZE:
            line.unfreeze()
            return lambda p: events.CreditLineUnfrozen(line, p, reason)
        case LineAction.CLOSE:
            line.close()
            return lambda p: events.CreditLineClosed(line, p, reason)


async def change_credit_line(cmd: ChangeCreditLine, uow: CreditUnitOfWork) -> CreditLine:
    validate_change(cmd)

    async def change() -> CreditLine:
        line = await uow.lines.get_for_update(cmd.credit_line_id)
        if line is None or line.bank_id != cmd.bank_id:
            raise CreditLineNotFound(cmd.credit_line_id)
        line.check_version(cmd.expected_version)
        if cmd.action is LineAction.AMEND and cmd.new_limit_fen > line.limit_fen:
            # A higher limit is credit granted (it counts in 累计授信): ACTIVE banks only.
            # Lowering, freezing and closing serve what the bank granted before.
            check_can_grant(await uow.parties.member(cmd.bank_id))
        before, previous_version = line_snapshot(line), line.version
        make_event = apply_action(line, cmd)
        await uow.lines.update(line, previous_version)
        who = (bank_caller(cmd.bank_id), cmd.request_id)
        await audit(
            uow, (LINE, line.credit_line_id), cmd.action.value, who, before, line_snapshot(line)
        )
        await uow.publish(make_event(await line_parties(uow, line.bank_id, line.enterprise_id)))
        return line

    return await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, LINE_CODEC)


async def expire_due_lines(uow: CreditUnitOfWork, today: date, batch_size: int) -> int:
    """Expires up to `batch_size` lines whose window ended before `today` (Shanghai).
    Lines locked by a running command are skipped and picked up next round."""
    async with uow:
        lines = await uow.lines.due_for_expiry(today, batch_size)
        for line in lines:
            before, previous_version = line_snapshot(line), line.version
            line.expire(today)
            await uow.lines.update(line, previous_version)
            who = (SWEEPER_ACTOR, f"expire:{today.isoformat()}")
            await audit(
                uow, (LINE, line.credit_line_id), "EXPIRE", who, before, line_snapshot(line)
            )
            parties = await line_parties(uow, line.bank_id, line.enterprise_id)
            reason = f"validity window ended on {line.valid_to.isoformat()}"
            await uow.publish(events.CreditLineExpired(line, parties, reason))
        await uow.commit()
    return len(lines)
