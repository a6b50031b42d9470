"""Credit event envelopes -> the facts the pure totals code works on."""

from __future__ import annotations

from datetime import UTC, timedelta, timezone

from g60.events.v1 import credit_events_pb2, envelope_pb2

from g60_aggregator.domain.credit_events import CreditFact
from g60_aggregator.domain.totals import Parties

# Asia/Shanghai has had no DST since 1991: a fixed offset is exact for business months.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

_PAYLOADS: dict[str, type[credit_events_pb2.CreditLineRegistered]] = {
    "CreditLineRegistered": credit_events_pb2.CreditLineRegistered,
}


def business_month(envelope: envelope_pb2.EventEnvelope) -> str:
    occurred = envelope.occurred_at.ToDatetime(tzinfo=UTC).astimezone(SHANGHAI)
    return occurred.strftime("%Y-%m")


def to_fact(envelope: envelope_pb2.EventEnvelope) -> CreditFact | None:
    payload_type = _PAYLOADS.get(envelope.event_type)
    if payload_type is None:
        return None
    payload = payload_type()
    envelope.payload.Unpack(payload)
    p = payload.parties
    return CreditFact(
        event_type=envelope.event_type,
        aggregate_id=envelope.aggregate_id,
        version=envelope.aggregate_version,
        month=business_month(envelope),
        parties=Parties(
            bank_id=p.bank_id,
            bank_city=p.bank_city,
            bank_type=p.bank_type,
            enterprise_city=p.enterprise_city,
            industry=p.industry,
            size_class=p.size_class,
        ),
        limit_fen=payload.limit_fen,
    )
