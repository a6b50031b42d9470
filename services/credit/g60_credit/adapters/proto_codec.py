"""Credit domain objects <-> protobuf messages and event envelopes."""

from __future__ import annotations

from datetime import datetime

from g60.credit.v1 import credit_pb2
from g60.events.v1 import credit_events_pb2, envelope_pb2
from g60common.events import new_envelope

from g60_credit.domain.events import CreditEvent, CreditLineRegistered, Parties
from g60_credit.domain.model import CreditLine


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
    )


def parties_to_proto(parties: Parties) -> credit_events_pb2.CreditParties:
    bank, ent = parties.bank, parties.enterprise
    return credit_events_pb2.CreditParties(
        bank_id=bank.member_id,
        bank_city=bank.home_city,
        bank_type=bank.institution_type,
        enterprise_id=ent.enterprise_id,
        enterprise_city=ent.city,
        enterprise_region_code=ent.region_code,
        industry=ent.industry,
        size_class=ent.size_class,
    )


def balances_to_proto(line: CreditLine) -> credit_events_pb2.CreditLineBalances:
    return credit_events_pb2.CreditLineBalances(
        limit_fen=line.limit_fen,
        reserved_fen=line.reserved_fen,
        utilized_fen=line.utilized_fen,
        status=line.status.value,
    )


def event_to_envelope(
    event: CreditEvent, occurred_at: datetime, correlation_id: str
) -> envelope_pb2.EventEnvelope:
    match event:
        case CreditLineRegistered(line=line, parties=parties):
            payload = credit_events_pb2.CreditLineRegistered(
                credit_line_id=line.credit_line_id,
                parties=parties_to_proto(parties),
                product=line.product.value,
                currency=line.currency,
                limit_fen=line.limit_fen,
                revolving=line.revolving,
                valid_from=line.valid_from.isoformat(),
                valid_to=line.valid_to.isoformat(),
                guarantor_id=line.guarantor_id,
                cover_ratio_bp=line.cover_ratio_bp,
                balances=balances_to_proto(line),
            )
            return new_envelope(
                payload,
                aggregate_type="CreditLine",
                aggregate_id=line.credit_line_id,
                aggregate_version=line.version,
                occurred_at=occurred_at,
                correlation_id=correlation_id,
            )
