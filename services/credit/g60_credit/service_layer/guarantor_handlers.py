"""What a guarantee company reads: its capacity, and the loans on the lines it backs.

Reads only; nothing here writes or is idempotency-keyed. A guarantor reads a loan
through its lender's eyes (`financing_handlers` with the lender as reader), so the two
can never disagree, minus the request ids, which are the lender's own. Anything it may
not read is NOT_FOUND, exactly as a missing id.
"""

from __future__ import annotations

from dataclasses import replace

from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import business_date
from g60_credit.domain.errors import ApplicationNotFound, GuarantorCapacityNotFound
from g60_credit.domain.guarantee import GuarantorCapacity, may_read_capacity
from g60_credit.domain.guarantor_view import as_seen_by_guarantor, guarantor_sees
from g60_credit.domain.queries import (
    ApplicationPageQuery,
    GuaranteedLoanQuery,
    HistoryEntry,
    MovementRecord,
)
from g60_credit.service_layer import financing_handlers
from g60_credit.service_layer.unit_of_work import CreditUnitOfWork


async def get_guarantor_capacity(
    caller_type: str, caller_id: str, guarantor_id: str, uow: CreditUnitOfWork
) -> GuarantorCapacity:
    """The operator reads any, a guarantor its own; a capacity never set is missing."""
    if not may_read_capacity(caller_type, caller_id, guarantor_id):
        raise GuarantorCapacityNotFound(guarantor_id)
    async with uow:
        capacity = await uow.guarantors.get(guarantor_id)
    if capacity is None:
        raise GuarantorCapacityNotFound(guarantor_id)
    return capacity


async def list_guaranteed_loans(
    query: GuaranteedLoanQuery, uow: CreditUnitOfWork
) -> list[FinancingApplication]:
    """The applications bound to the guarantor's lines, in id order, as their lenders
    see them; with `overdue`, the loans late as of today's Shanghai date."""
    async with uow:
        apps = await uow.guarantors.loans(query, business_date(uow.now()))
    return [as_seen_by_guarantor(app) for app in apps]


async def get_guaranteed_loan(
    guarantor_id: str, application_id: str, uow: CreditUnitOfWork
) -> FinancingApplication:
    async with uow:
        app = await _guaranteed(uow, guarantor_id, application_id)
    return as_seen_by_guarantor(app)


async def guaranteed_movements(
    guarantor_id: str, query: ApplicationPageQuery, uow: CreditUnitOfWork
) -> list[MovementRecord]:
    lender_id = await _lender_of(uow, guarantor_id, query.application_id)
    return await financing_handlers.list_movements("bank", lender_id, query, uow)


async def guaranteed_history(
    guarantor_id: str, query: ApplicationPageQuery, uow: CreditUnitOfWork
) -> tuple[list[HistoryEntry], int]:
    """The lender's page of the history (and its page token), without request ids."""
    lender_id = await _lender_of(uow, guarantor_id, query.application_id)
    entries, last_read = await financing_handlers.application_history("bank", lender_id, query, uow)
    return [replace(entry, request_id="") for entry in entries], last_read


async def _lender_of(uow: CreditUnitOfWork, guarantor_id: str, application_id: str) -> str:
    """The lending bank of a loan the guarantor backs. An approval binds the line for
    good, and a line's guarantor never changes: the answer holds in a later transaction."""
    async with uow:
        return (await _guaranteed(uow, guarantor_id, application_id)).bank_id


async def _guaranteed(
    uow: CreditUnitOfWork, guarantor_id: str, application_id: str
) -> FinancingApplication:
    app = await uow.applications.get(application_id)
    line = await uow.lines.get(app.credit_line_id) if app and app.credit_line_id else None
    if app is None or not guarantor_sees(app, line, guarantor_id):
        raise ApplicationNotFound(application_id)
    return app
