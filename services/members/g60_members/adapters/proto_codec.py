"""Domain objects <-> protobuf messages and event envelopes."""

from __future__ import annotations

from datetime import datetime

from g60.events.v1 import envelope_pb2, member_events_pb2
from g60.members.v1 import members_pb2
from g60common.events import new_envelope, timestamp
from google.protobuf.message import Message

from g60_members.domain.events import (
    EnterpriseDeregistered,
    EnterpriseRegistered,
    EnterpriseRejected,
    EnterpriseUpdated,
    EnterpriseVerified,
    MemberRegistered,
    MemberReinstated,
    MembersEvent,
    MemberSuspended,
    MemberUpdated,
    MemberWithdrawn,
)
from g60_members.domain.model import Enterprise, Member


def member_to_proto(m: Member) -> members_pb2.Member:
    joined = timestamp(m.joined_at)
    return members_pb2.Member(
        member_id=m.member_id,
        name=m.name,
        short_name=m.short_name,
        institution_type=m.institution_type.value,
        home_city=m.home_city,
        uscc=m.uscc,
        contact=m.contact,
        status=m.status.value,
        joined_at=joined,
        version=m.version,
    )


def enterprise_to_proto(e: Enterprise, *, with_contact: bool = True) -> members_pb2.Enterprise:
    """`with_contact=False` for events: the contact is personal data, and the members
    topic keeps events forever; it stays in the registry, where it can be erased."""
    return members_pb2.Enterprise(
        enterprise_id=e.enterprise_id,
        name=e.name,
        uscc=e.uscc,
        city=e.city,
        region_code=e.region_code,
        industry=e.industry.value,
        industry_code=e.industry_code,
        size_class=e.size_class.value,
        designations=[d.value for d in e.designations],
        registered_capital_fen=e.registered_capital_fen,
        status=e.status.value,
        version=e.version,
        contact=e.contact if with_contact else "",
    )


def event_payload(event: MembersEvent) -> tuple[Message, str, str, int]:
    """The payload message and (aggregate type, id, version) of a domain event."""
    match event:
        case MemberRegistered(member=m):
            return member_events_pb2.MemberRegistered(member=member_to_proto(m)), *_of_member(m)
        case MemberUpdated(member=m):
            return member_events_pb2.MemberUpdated(member=member_to_proto(m)), *_of_member(m)
        case MemberSuspended(member=m, reason=r):
            payload: Message = member_events_pb2.MemberSuspended(
                member=member_to_proto(m), reason=r
            )
            return payload, *_of_member(m)
        case MemberReinstated(member=m, reason=r):
            payload = member_events_pb2.MemberReinstated(member=member_to_proto(m), reason=r)
            return payload, *_of_member(m)
        case MemberWithdrawn(member=m, reason=r):
            payload = member_events_pb2.MemberWithdrawn(member=member_to_proto(m), reason=r)
            return payload, *_of_member(m)
        case EnterpriseRegistered(enterprise=e):
            payload = member_events_pb2.EnterpriseRegistered(enterprise=_in_event(e))
            return payload, *_of_enterprise(e)
        case EnterpriseUpdated(enterprise=e):
            payload = member_events_pb2.EnterpriseUpdated(enterprise=_in_event(e))
            return payload, *_of_enterprise(e)
        case EnterpriseVerified(enterprise=e, reason=r):
            payload = member_events_pb2.EnterpriseVerified(enterprise=_in_event(e), reason=r)
            return payload, *_of_enterprise(e)
        case EnterpriseRejected(enterprise=e, reason=r):
            payload = member_events_pb2.EnterpriseRejected(enterprise=_in_event(e), reason=r)
            return payload, *_of_enterprise(e)
        case EnterpriseDeregistered(enterprise=e, reason=r):
            payload = member_events_pb2.EnterpriseDeregistered(enterprise=_in_event(e), reason=r)
            return payload, *_of_enterprise(e)


def _in_event(e: Enterprise) -> members_pb2.Enterprise:
    return enterprise_to_proto(e, with_contact=False)


def _of_member(m: Member) -> tuple[str, str, int]:
    return "Member", m.member_id, m.version


def _of_enterprise(e: Enterprise) -> tuple[str, str, int]:
    return "Enterprise", e.enterprise_id, e.version


def event_to_envelope(
    event: MembersEvent, occurred_at: datetime, correlation_id: str
) -> envelope_pb2.EventEnvelope:
    """Keyed (by the relay) on the aggregate id, so one aggregate's events stay in order."""
    payload, aggregate_type, aggregate_id, version = event_payload(event)
    return new_envelope(
        payload,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        aggregate_version=version,
        occurred_at=occurred_at,
        correlation_id=correlation_id,
    )
