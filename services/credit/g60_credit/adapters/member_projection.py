"""Keeps the credit service's read model of members and enterprises from the members
service's events.

Catch-up after downtime: the consumer group's committed offsets mark what was
applied; on restart it resumes from them (or from the start of the topic the first
time) and replays everything it missed. Offsets are committed after the database
transaction, so a crash in between replays a batch, and the version check in the
upserts makes that replay change nothing.
"""

from __future__ import annotations

import asyncio
import logging

import asyncpg
from aiokafka import AIOKafkaConsumer
from g60.events.v1 import envelope_pb2, member_events_pb2
from g60.members.v1 import members_pb2
from g60common.config import KafkaSettings
from g60common.events import decode_envelope
from g60common.kafka import TOPIC_MEMBER_EVENTS, consumer_settings
from prometheus_client import Counter

from g60_credit.adapters.repository import upsert_enterprise_view, upsert_member_view
from g60_credit.domain.parties import EnterpriseView, MemberView

log = logging.getLogger(__name__)
PROJECTION_GROUP = "g60-credit-member-projection"
EVENTS_APPLIED = Counter("g60_credit_member_events_applied", "Member events applied", ["type"])

_MemberEvent = (
    member_events_pb2.MemberRegistered
    | member_events_pb2.MemberUpdated
    | member_events_pb2.MemberSuspended
    | member_events_pb2.MemberReinstated
    | member_events_pb2.MemberWithdrawn
)
_EnterpriseEvent = (
    member_events_pb2.EnterpriseRegistered
    | member_events_pb2.EnterpriseUpdated
    | member_events_pb2.EnterpriseVerified
    | member_events_pb2.EnterpriseRejected
    | member_events_pb2.EnterpriseDeregistered
)

_MEMBER_EVENTS: dict[str, type[_MemberEvent]] = {
    "MemberRegistered": member_events_pb2.MemberRegistered,
    "MemberUpdated": member_events_pb2.MemberUpdated,
    "MemberSuspended": member_events_pb2.MemberSuspended,
    "MemberReinstated": member_events_pb2.MemberReinstated,
    "MemberWithdrawn": member_events_pb2.MemberWithdrawn,
}
_ENTERPRISE_EVENTS: dict[str, type[_EnterpriseEvent]] = {
    "EnterpriseRegistered": member_events_pb2.EnterpriseRegistered,
    "EnterpriseUpdated": member_events_pb2.EnterpriseUpdated,
    # Status changes: only an ACTIVE enterprise may be granted credit or apply for it, so
    # a self-registered one (PENDING_VERIFICATION) is refused until EnterpriseVerified.
    "EnterpriseVerified": member_events_pb2.EnterpriseVerified,
    "EnterpriseRejected": member_events_pb2.EnterpriseRejected,
    "EnterpriseDeregistered": member_events_pb2.EnterpriseDeregistered,
}


def member_view_of(m: members_pb2.Member) -> MemberView:
    return MemberView(m.member_id, m.institution_type, m.home_city, m.status, m.version)


def enterprise_view_of(e: members_pb2.Enterprise) -> EnterpriseView:
    return EnterpriseView(
        e.enterprise_id, e.city, e.region_code, e.industry, e.size_class, e.status, e.version
    )


async def apply_member_event(
    conn: asyncpg.Connection, envelope: envelope_pb2.EventEnvelope
) -> None:
    if (member_type := _MEMBER_EVENTS.get(envelope.event_type)) is not None:
        member_event = member_type()
        envelope.payload.Unpack(member_event)
        await upsert_member_view(conn, member_view_of(member_event.member))
    elif (enterprise_type := _ENTERPRISE_EVENTS.get(envelope.event_type)) is not None:
        enterprise_event = enterprise_type()
        envelope.payload.Unpack(enterprise_event)
        await upsert_enterprise_view(conn, enterprise_view_of(enterprise_event.enterprise))
    else:
        # A type this build does not know (a newer members service): skipped, but
        # visibly, since a missed status change would leave the read model stale.
        log.warning("member projection skips unknown event type %s", envelope.event_type)
        return
    EVENTS_APPLIED.labels(envelope.event_type).inc()


async def run_member_projection(
    pool: asyncpg.Pool, kafka: KafkaSettings, stop: asyncio.Event
) -> None:
    while not stop.is_set():
        try:
            await _consume(pool, kafka, stop)
        except Exception:
            log.exception("member projection failed; restarting")
            await asyncio.sleep(1.0)


async def _consume(pool: asyncpg.Pool, kafka: KafkaSettings, stop: asyncio.Event) -> None:
    consumer = AIOKafkaConsumer(
        TOPIC_MEMBER_EVENTS, **consumer_settings(kafka, group_id=PROJECTION_GROUP)
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=500, max_records=500)
            records = [r for batch in batches.values() for r in batch]
            if not records:
                continue
            async with pool.acquire() as conn, conn.transaction():
                for record in records:
                    await apply_member_event(conn, decode_envelope(record.value))
            await consumer.commit()
    finally:
        await consumer.stop()
