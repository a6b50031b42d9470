"""Credit event envelopes -> the facts the pure totals code works on."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone
from typing import Any

from g60.events.v1 import credit_events_pb2 as pb
from g60.events.v1 import envelope_pb2
from google.protobuf.message import Message

from g60_aggregator.domain.credit_events import CreditFact, LineBalances
from g60_aggregator.domain.totals import Parties

# Asia/Shanghai has had no DST since 1991: a fixed offset is exact for business months.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_PAYLOADS: dict[str, type[Message]] = {
    name: getattr(pb, name)
    for name in (
        "CreditLineRegistered",
        "CreditLineAmended",
        "CreditLineFrozen",
        "CreditLineUnfrozen",
        "CreditLineClosed",
        "CreditLineExpired",
        "FinancingApplied",
        "FinancingApproved",
        "FinancingRejected",
        "FinancingWithdrawn",
        "FinancingClosed",  # moves no measure, but its version must count as applied
        "LoanOverdue",
        "LoanReclassified",
        "FundsDisbursed",
        "LoanRepaid",
        "LoanCompensated",
    )
}
# Events on the FinancingApplication aggregate carry the *bound line's* balances
# (FinancingApproved); only line-aggregate events may move line stock measures.
_LINE_AGGREGATE = "CreditLine"
# The aggregates whose events move totals. Others on the topic (GuarantorCapacity) are
# versioned on their own and skipped whole, before any version bookkeeping.
TOTALLED_AGGREGATES = frozenset({_LINE_AGGREGATE, "FinancingApplication"})


def business_month(envelope: envelope_pb2.EventEnvelope) -> str:
    occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC).astimezone(SHANGHAI)
    return occurred.strftime("%Y-%m")


def _parties(p: pb.CreditParties) -> Parties:
    return Parties(
        bank_id=p.bank_id,
        bank_city=p.bank_city,
        bank_type=p.bank_type,
        enterprise_city=p.enterprise_city,
        industry=p.industry,
        size_class=p.size_class,
        enterprise_id=p.enterprise_id,
    )


def _balances(envelope: envelope_pb2.EventEnvelope, payload: Any) -> LineBalances | None:
    if envelope.aggregate_type != _LINE_AGGREGATE or not payload.HasField("balances"):
        return None
    return LineBalances(limit_fen=payload.balances.limit_fen, status=payload.balances.status)


def _to_first_disbursement_s(envelope: envelope_pb2.EventEnvelope, payload: Any) -> int | None:
    if not payload.first_disbursement or not payload.HasField("submitted_at"):
        return None
    waited_s = int(envelope.occurred_at.seconds) - int(payload.submitted_at.seconds)
    return max(waited_s, 0)


def _extras(envelope: envelope_pb2.EventEnvelope, payload: Any) -> dict[str, Any]:
    kind = envelope.event_type
    if kind == "CreditLineRegistered":
        return {"limit_fen": payload.limit_fen}
    if kind == "CreditLineAmended":
        # Recomputed from the two limits rather than trusting delta_fen alone.
        return {"limit_delta_fen": payload.limit_fen - payload.previous_limit_fen}
    if kind == "FundsDisbursed":
        return {
            "amount_fen": payload.amount_fen,
            "first_disbursement": payload.first_disbursement,
            "to_first_disbursement_s": _to_first_disbursement_s(envelope, payload),
        }
    if kind == "LoanRepaid":
        # LoanRepaid events published before overdue_since (risk_class) existed read as
        # "not overdue" ("" : performing).
        return {
            "amount_fen": payload.amount_fen,
            "overdue": bool(payload.overdue_since),
            "risk_class": payload.risk_class,
        }
    if kind == "LoanCompensated":
        return {"amount_fen": payload.amount_fen, "risk_class": payload.risk_class}
    if kind == "LoanReclassified":
        return {
            "amount_fen": payload.outstanding_fen,
            "risk_class": payload.risk_class,
            "previous_risk_class": payload.previous_risk_class,
        }
    if kind == "LoanOverdue":
        return {"amount_fen": payload.outstanding_fen}
    if kind == "FinancingRejected":
        return {"final": payload.final}
    return {}


def to_fact(envelope: envelope_pb2.EventEnvelope) -> CreditFact | None:
    payload_type = _PAYLOADS.get(envelope.event_type)
    if payload_type is None:
        return None
    payload: Any = payload_type()
    envelope.payload.Unpack(payload)
    return CreditFact(
        event_type=envelope.event_type,
        aggregate_id=envelope.aggregate_id,
        version=envelope.aggregate_version,
        month=business_month(envelope),
        parties=_parties(payload.parties),
        balances=_balances(envelope, payload),
        **_extras(envelope, payload),
    )
