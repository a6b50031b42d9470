"""PostgreSQL implementation of the members unit of work."""

from __future__ import annotations

from g60common.correlation import current_correlation_id
from g60common.kafka import TOPIC_MEMBER_EVENTS
from g60common.uow import PgUnitOfWork

from g60_members.adapters.proto_codec import event_to_envelope
from g60_members.adapters.repository import PgMembersRepository
from g60_members.domain.events import MembersEvent


class PgMembersUnitOfWork(PgUnitOfWork):
    async def __aenter__(self) -> PgMembersUnitOfWork:
        await super().__aenter__()
        self.repo = PgMembersRepository(self.conn)
        return self

    async def publish(self, event: MembersEvent) -> None:
        envelope = event_to_envelope(event, self._clock(), current_correlation_id())
        await self.append_event(TOPIC_MEMBER_EVENTS, envelope)
