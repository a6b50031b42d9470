"""Credit domain objects <-> API protobuf messages."""

from __future__ import annotations

from datetime import date, datetime

from g60.credit.v1 import credit_pb2

from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.calendar import business_date, iso_date
from g60_credit.domain.guarantee import GuarantorCapacity
from g60_credit.domain.model import CreditLine
from g60_credit.domain.queries import AuditRecord, HistoryEntry, MovementRecord
from g60_credit.service_layer.money_handlers import MovementResult


def line_to_proto(line: CreditLine) -> credit_pb2.CreditLine:
    return credit_pb2.CreditLine(
        credit_line_id=line.credit_line_id,
        bank_id=line.bank_id,
        enterprise_id=line.enterprise_id,
        product=line.product.value,
        currency=line.currency,
        limit_fen=line.limit_fen,
        reserved_fen=line.reserved_fen,
        utilized_fen=line.utilized_fen,
        available_fen=line.available_fen,
        revolving=line.revolving,
        valid_from=line.valid_from.isoformat(),
        valid_to=line.valid_to.isoformat(),
        guarantor_id=line.guarantor_id,
        cover_ratio_bp=line.cover_ratio_bp,
        status=line.status.value,
        version=line.version,
        outstanding_fen=line.outstanding_fen,
    )


def application_to_proto(app: FinancingApplication, today: date) -> credit_pb2.FinancingApplication:
    """`today`: the Shanghai date days past due are counted to."""
    return credit_pb2.FinancingApplication(
        application_id=app.application_id,
        enterprise_id=app.enterprise_id,
        currency=app.currency,
        amount_fen=app.amount_fen,
        term_months=app.term_months,
        purpose=app.purpose,
        target_bank_ids=list(app.target_bank_ids),
        city_wide=app.city_wide,
        submitted_at=app.submitted_at.isoformat(),
        status=app.status.value,
        bank_id=app.bank_id,
        credit_line_id=app.credit_line_id,
        approved_fen=app.approved_fen,
        disbursed_fen=app.disbursed_fen,
        repaid_fen=app.repaid_fen,
        compensated_fen=app.compensated_fen,
        outstanding_fen=app.outstanding_fen,
        version=app.version,
        declined_bank_ids=list(app.declined_bank_ids),
        first_drawn_on=iso_date(app.first_drawn_on),
        maturity_date=iso_date(app.maturity_date),
        overdue_since=iso_date(app.overdue_since),
        approved_on=iso_date(app.approved_on),
        extended_months=app.extended_months,
        risk_class=app.risk_class.value,
        days_past_due=app.days_past_due(today),
    )


def audit_to_proto(record: AuditRecord) -> credit_pb2.AuditEntry:
    return credit_pb2.AuditEntry(
        audit_id=record.audit_id,
        action=record.action,
        actor=record.actor,
        request_id=record.request_id,
        occurred_at=record.occurred_at_iso,
        before_json=record.before_json,
        after_json=record.after_json,
    )


def capacity_to_proto(capacity: GuarantorCapacity) -> credit_pb2.GuarantorCapacity:
    return credit_pb2.GuarantorCapacity(
        guarantor_id=capacity.guarantor_id,
        capacity_fen=capacity.capacity_fen,
        used_fen=capacity.used_fen,
        version=capacity.version,
        available_fen=capacity.available_fen,
    )


def movement_to_proto(result: MovementResult, today: date) -> credit_pb2.MoveFundsResponse:
    """Days past due as of the movement's own day, so a replayed answer is the first one;
    `today` only for answers stored before movements recorded their day."""
    return credit_pb2.MoveFundsResponse(
        movement_id=result.movement_id,
        amount_fen=result.amount_fen,
        guarantee_fen=result.guarantee_fen,
        credit_line=line_to_proto(result.line),
        application=application_to_proto(result.application, result.moved_on or today),
    )


def movement_record_to_proto(record: MovementRecord) -> credit_pb2.FundsMovement:
    return credit_pb2.FundsMovement(
        movement_id=record.movement_id,
        kind=record.kind,
        amount_fen=record.amount_fen,
        guarantee_fen=record.guarantee_fen,
        credit_line_id=record.credit_line_id,
        occurred_at=record.occurred_at_iso,
        disbursed_after_fen=record.disbursed_after_fen,
        repaid_after_fen=record.repaid_after_fen,
        outstanding_after_fen=record.outstanding_after_fen,
    )


def history_entry_to_proto(entry: HistoryEntry) -> credit_pb2.ApplicationHistoryEntry:
    return credit_pb2.ApplicationHistoryEntry(
        entry_id=entry.entry_id,
        action=entry.action,
        actor=entry.actor,
        occurred_at=entry.occurred_at_iso,
        request_id=entry.request_id,
        # Days past due on the day of the change: the entry is the application then.
        application=application_to_proto(entry.application, _day_of(entry.occurred_at_iso)),
    )


def _day_of(occurred_at_iso: str) -> date:
    return business_date(datetime.fromisoformat(occurred_at_iso))
