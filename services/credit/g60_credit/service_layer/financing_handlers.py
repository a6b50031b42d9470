"""Financing applications (融资申请): apply, approve, reject, withdraw, read.

Every mutation row-locks the application, so of two banks approving a matchmaking
application at once the first wins and the second gets ApplicationNotPending.
Visibility: the enterprise that applied and the banks it addressed; anyone else
gets ApplicationNotFound, exactly as for a missing id.
"""

from __future__ import annotations

import json
from datetime import date

from g60common.ids import time_ordered_uuid
from g60common.money import MoneyError, check_fen_range, validate_currency

from g60_credit.domain import events
from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import business_date
from g60_credit.domain.errors import (
    ApplicationNotFound,
    BankNotActive,
    CreditLineNotFound,
    InvalidFields,
    NoBankToAddress,
)
from g60_credit.domain.queries import (
    ApplicationPageQuery,
    ApplicationQuery,
    AuditRecord,
    HistoryEntry,
    MovementRecord,
)
from g60_credit.domain.snapshots import application_from_snapshot, application_snapshot
from g60_credit.service_layer.commands import (
    ApplyForFinancing,
    CloseFinancing,
    DecideFinancing,
    WithdrawFinancing,
)
from g60_credit.service_layer.handlers import (
    bank_caller,
    check_can_grant,
    check_known_enterprise,
    check_party_ids,
    line_parties,
)
from g60_credit.service_layer.idempotent import audit, run_idempotent
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork, PartyDirectory

APPLICATION = "FinancingApplication"
APPLICATION_CODEC = (application_snapshot, application_from_snapshot)
MAX_TERM_MONTHS = 360
MAX_PURPOSE_CHARS = 500
MAX_CITY_BANKS = 200  # matchmaking fan-out bound
OVERDUE_SWEEPER_ACTOR = "system:overdue-sweeper"


def enterprise_caller(enterprise_id: str) -> str:
    return f"enterprise:{enterprise_id}"


def validate_application(cmd: ApplyForFinancing) -> None:
    v: dict[str, str] = {}
    for field, check in (
        ("currency", lambda: validate_currency(cmd.currency)),
        ("amount_fen", lambda: check_fen_range(cmd.amount_fen, field="amount_fen")),
    ):
        try:
            check()
        except MoneyError as exc:
            v[field] = exc.reason
    if not 1 <= cmd.term_months <= MAX_TERM_MONTHS:
        v["term_months"] = f"must be 1 to {MAX_TERM_MONTHS}"
    if not 1 <= len(cmd.purpose.strip()) <= MAX_PURPOSE_CHARS:
        v["purpose"] = f"is required, at most {MAX_PURPOSE_CHARS} characters"
    if v:
        raise InvalidFields(v)


async def apply_for_financing(
    cmd: ApplyForFinancing, uow: CreditUnitOfWork, directory: PartyDirectory
) -> FinancingApplication:
    """Addressed to one bank, or (empty bank_id) to every ACTIVE bank of the
    enterprise's city as the read model knows them now."""
    validate_application(cmd)
    check_party_ids({"bank_id": cmd.bank_id} if cmd.bank_id else {})
    await directory.ensure_known([cmd.bank_id] if cmd.bank_id else [], [cmd.enterprise_id])

    async def change() -> FinancingApplication:
        enterprise = await uow.parties.enterprise(cmd.enterprise_id)
        check_known_enterprise(enterprise, cmd.enterprise_id)
        assert enterprise is not None
        targets = await _target_banks(uow, cmd, enterprise.city)
        submitted_at = uow.now()
        app = FinancingApplication(
            # Time-ordered: lists in id order (an SME's applications, a bank's work
            # queue) come oldest first.
            application_id=time_ordered_uuid(submitted_at),
            enterprise_id=cmd.enterprise_id,
            amount_fen=cmd.amount_fen,
            term_months=cmd.term_months,
            purpose=cmd.purpose.strip(),
            target_bank_ids=targets,
            city_wide=not cmd.bank_id,
            submitted_at=submitted_at,
            currency=cmd.currency,
        )
        await uow.applications.add(app)
        who = (enterprise_caller(cmd.enterprise_id), cmd.request_id)
        await audit(
            uow, (APPLICATION, app.application_id), "APPLY", who, None, application_snapshot(app)
        )
        parties = await line_parties(uow, cmd.bank_id, cmd.enterprise_id)
        await uow.publish(events.FinancingApplied(app, parties))
        return app

    caller = enterprise_caller(cmd.enterprise_id)
    return await run_idempotent(uow, caller, cmd, change, APPLICATION_CODEC)


async def _target_banks(
    uow: CreditUnitOfWork, cmd: ApplyForFinancing, city: str
) -> tuple[str, ...]:
    if cmd.bank_id:
        bank = await uow.parties.member(cmd.bank_id)
        if bank is None or bank.institution_type != "BANK":
            raise InvalidFields({"bank_id": "is not a member bank"})
        if not bank.is_active_bank:
            # Not which status: a suspension or withdrawal is between the bank and the
            # alliance office, and the applicant is another tenant.
            raise BankNotActive(f"bank {cmd.bank_id} is not ACTIVE: it takes no applications")
        return (bank.member_id,)
    banks = await uow.parties.active_banks_in_city(city, MAX_CITY_BANKS)
    if not banks:
        raise NoBankToAddress(f"no ACTIVE member bank in city {city}")
    return tuple(b.member_id for b in banks)


async def decide_financing(cmd: DecideFinancing, uow: CreditUnitOfWork) -> FinancingApplication:
    """Approve binds the application to one of the bank's lines for that enterprise
    (no reservation: credit is consumed by drawdowns). Reject declines for this bank;
    the application is REJECTED once every addressed bank has declined. The answer,
    replays included, is the application as this bank is shown it."""

    async def change() -> FinancingApplication:
        app = await _visible_for_update(uow, cmd.application_id, cmd.bank_id)
        before, previous_version = application_snapshot(app), app.version
        parties = await line_parties(uow, cmd.bank_id, app.enterprise_id)
        event: events.ApplicationEvent
        if cmd.approve:
            # No new credit from a bank suspended or withdrawn since the application was
            # addressed to it, nor for an enterprise deregistered since it applied.
            check_can_grant(parties.bank)
            check_known_enterprise(parties.enterprise, app.enterprise_id)
            line = await uow.lines.get(cmd.credit_line_id)
            if line is None or line.bank_id != cmd.bank_id:
                raise CreditLineNotFound(cmd.credit_line_id)
            amount_fen = cmd.approved_fen or app.amount_fen
            app.approve(cmd.bank_id, line, amount_fen, business_date(uow.now()))
            event = events.FinancingApproved(app, line, parties)
        else:
            app.reject(cmd.bank_id)
            event = events.FinancingRejected(app, parties, cmd.bank_id, cmd.reason)
        await uow.applications.update(app, previous_version)
        action = "APPROVE" if cmd.approve else "REJECT"
        who = (bank_caller(cmd.bank_id), cmd.request_id)
        await audit(
            uow, (APPLICATION, app.application_id), action, who, before, application_snapshot(app)
        )
        await uow.publish(event)
        return app

    if cmd.approved_fen < 0 or len(cmd.reason) > MAX_PURPOSE_CHARS:
        raise InvalidFields({"approved_fen": "must not be negative; reason at most 500 characters"})
    app = await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, APPLICATION_CODEC)
    return app.as_seen_by_bank(cmd.bank_id)


async def _visible_for_update(
    uow: CreditUnitOfWork, application_id: str, bank_id: str
) -> FinancingApplication:
    app = await uow.applications.get_for_update(application_id)
    if app is None or not app.is_visible_to_bank(bank_id):
        raise ApplicationNotFound(application_id)
    return app


async def withdraw_financing(cmd: WithdrawFinancing, uow: CreditUnitOfWork) -> FinancingApplication:
    """Only the applying enterprise, only while SUBMITTED."""

    async def change() -> FinancingApplication:
        app = await uow.applications.get_for_update(cmd.application_id)
        if app is None or app.enterprise_id != cmd.enterprise_id:
            raise ApplicationNotFound(cmd.application_id)
        before, previous_version = application_snapshot(app), app.version
        app.withdraw()
        await uow.applications.update(app, previous_version)
        who = (enterprise_caller(cmd.enterprise_id), cmd.request_id)
        await audit(
            uow,
            (APPLICATION, app.application_id),
            "WITHDRAW",
            who,
            before,
            application_snapshot(app),
        )
        # A single-bank application names its bank; a matchmaking one names none.
        only_bank = "" if app.city_wide else app.target_bank_ids[0]
        parties = await line_parties(uow, only_bank, app.enterprise_id)
        await uow.publish(events.FinancingWithdrawn(app, parties, cmd.reason))
        return app

    caller = enterprise_caller(cmd.enterprise_id)
    return await run_idempotent(uow, caller, cmd, change, APPLICATION_CODEC)


async def close_financing(cmd: CloseFinancing, uow: CreditUnitOfWork) -> FinancingApplication:
    """Only the approving bank; refused (ApplicationNotDrawable) while principal is
    outstanding or before approval."""

    async def change() -> FinancingApplication:
        app = await _visible_for_update(uow, cmd.application_id, cmd.bank_id)
        if app.bank_id and app.bank_id != cmd.bank_id:
            raise ApplicationNotFound(cmd.application_id)
        before, previous_version = application_snapshot(app), app.version
        app.close()
        await uow.applications.update(app, previous_version)
        who = (bank_caller(cmd.bank_id), cmd.request_id)
        after = application_snapshot(app)
        await audit(uow, (APPLICATION, app.application_id), "CLOSE", who, before, after)
        parties = await line_parties(uow, cmd.bank_id, app.enterprise_id)
        await uow.publish(events.FinancingClosed(app, parties, cmd.reason))
        return app

    app = await run_idempotent(uow, bank_caller(cmd.bank_id), cmd, change, APPLICATION_CODEC)
    return app.as_seen_by_bank(cmd.bank_id)


async def get_application(
    caller_type: str, caller_id: str, application_id: str, uow: CreditUnitOfWork
) -> FinancingApplication:
    async with uow:
        app = _visible(await uow.applications.get(application_id), caller_type, caller_id)
    if app is None:
        raise ApplicationNotFound(application_id)
    return app.as_seen_by_bank(caller_id) if caller_type == "bank" else app


async def list_movements(
    caller_type: str, caller_id: str, query: ApplicationPageQuery, uow: CreditUnitOfWork
) -> list[MovementRecord]:
    """The application's drawdowns and repayments, for whoever may read the application.
    A bank that lost reads it as of its approval, with nothing drawn (as_seen_by_bank):
    the loan is the lender's and the enterprise's, so it gets no movements either."""
    async with uow:
        app = _visible(await uow.applications.get(query.application_id), caller_type, caller_id)
        if app is None:
            raise ApplicationNotFound(query.application_id)
        if caller_type == "bank" and app.bank_id != caller_id:
            return []
        return await uow.applications.movements(app.application_id, query.after, query.limit)


async def application_history(
    caller_type: str, caller_id: str, query: ApplicationPageQuery, uow: CreditUnitOfWork
) -> tuple[list[HistoryEntry], int]:
    """The application's changes in order, each with the application after it, as the
    caller is shown it: the applicant sees every change; an addressed bank what
    `FinancingApplication.bank_sees_change` allows. Returns the page and the number of
    the last change read for it (0 when none is left): changes a bank may not see are
    skipped, and the next page starts after them."""
    reader = enterprise_caller(caller_id) if caller_type == "enterprise" else bank_caller(caller_id)
    async with uow:
        app = _visible(await uow.applications.get(query.application_id), caller_type, caller_id)
        if app is None:
            raise ApplicationNotFound(query.application_id)
        entries: list[HistoryEntry] = []
        after = query.after
        while True:
            records = await uow.audit.list(APPLICATION, app.application_id, after, query.limit)
            for record in records:
                after = record.audit_id
                entry = _history_entry(app, caller_type, caller_id, reader, record)
                if entry is not None:
                    entries.append(entry)
                    if len(entries) == query.limit:
                        return entries, after
            if len(records) < query.limit:
                return entries, 0


def _history_entry(
    current: FinancingApplication,
    caller_type: str,
    caller_id: str,
    reader: str,
    record: AuditRecord,
) -> HistoryEntry | None:
    by_reader = record.actor == reader
    if caller_type == "bank" and not current.bank_sees_change(caller_id, record.action, by_reader):
        return None
    after = application_from_snapshot(json.loads(record.after_json))
    return HistoryEntry(
        record.audit_id,
        record.action,
        record.actor,
        record.occurred_at_iso,
        record.request_id if by_reader else "",
        after.as_seen_by_bank(caller_id) if caller_type == "bank" else after,
    )


def _visible(
    app: FinancingApplication | None, caller_type: str, caller_id: str
) -> FinancingApplication | None:
    """The application if the caller may read it: its applicant or a bank it addressed."""
    if app is None:
        return None
    if caller_type == "enterprise":
        return app if app.enterprise_id == caller_id else None
    return app if caller_type == "bank" and app.is_visible_to_bank(caller_id) else None


async def list_applications(
    query: ApplicationQuery, uow: CreditUnitOfWork
) -> list[FinancingApplication]:
    """The enterprise's own, or those addressed to the bank (won, lost or open); with
    `overdue`, the loans late as of today's Shanghai date (a bank's own loans only)."""
    async with uow:
        apps = await uow.applications.list(query, business_date(uow.now()))
    if query.bank_id:
        return [app.as_seen_by_bank(query.bank_id) for app in apps]
    return apps


async def mark_overdue_loans(uow: CreditUnitOfWork, today: date, batch_size: int) -> int:
    """Marks up to `batch_size` loans with principal outstanding past maturity, each
    once, with its audit row and LoanOverdue event in the same transaction. Loans held
    by a running command are skipped and picked up next round."""
    async with uow:
        apps = await uow.applications.due_for_overdue(today, batch_size)
        for app in apps:
            before, previous_version = application_snapshot(app), app.version
            app.mark_overdue(today)
            await uow.applications.update(app, previous_version)
            who = (OVERDUE_SWEEPER_ACTOR, f"overdue:{app.maturity_date}")
            after = application_snapshot(app)
            await audit(uow, (APPLICATION, app.application_id), "OVERDUE", who, before, after)
            line = await uow.lines.get(app.credit_line_id)
            assert line is not None, "a drawn loan's line exists"
            parties = await line_parties(uow, app.bank_id, app.enterprise_id)
            await uow.publish(events.LoanOverdue(app, parties, line.guarantor_id))
        await uow.commit()
    return len(apps)
