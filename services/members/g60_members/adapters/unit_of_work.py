"""PostgreSQL implementation of the members unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import asyncpg
from g60common.config import DEFAULT_TRANSACTION_TIMEOUT_S
from g60common.correlation import current_correlation_id
from g60common.kafka import TOPIC_MEMBER_EVENTS
from g60common.uow import PgUnitOfWork

from g60_members.adapters.proto_codec import event_to_envelope
from g60_members.adapters.repository import PgMembersRepository
from g60_members.domain.events import MembersEvent


class PgMembersUnitOfWork(PgUnitOfWork):
    def __init__(
        self,
        pool: asyncpg.Pool,
        clock: Callable[[], datetime],
        timeout_s: float = DEFAULT_TRANSACTION_TIMEOUT_S,
    ) -> None:
        super().__init__(pool, timeout_s)
        self._clock = clock

    async def __aenter__(self) -> PgMembersUnitOfWork:
        await super().__aenter__()
        self.repo = PgMembersRepository(self.conn)
        return self

    async def publish(self, event: MembersEvent) -> None:
        envelope = event_to_envelope(event, self._clock(), current_correlation_id())
        await self.append_event(TOPIC_MEMBER_EVENTS, envelope)
