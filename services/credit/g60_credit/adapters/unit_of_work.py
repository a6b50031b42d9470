"""PostgreSQL implementation of the credit unit of work."""

from __future__ import annotations

from datetime import datetime

from g60common.correlation import current_correlation_id
from g60common.kafka import TOPIC_CREDIT_EVENTS
from g60common.uow import PgUnitOfWork

from g60_credit.adapters.application_repository import (
    PgApplicationRepository,
    PgGuarantorRepository,
)
from g60_credit.adapters.audit_repository import PgAuditRepository
from g60_credit.adapters.event_codec import event_to_envelope
from g60_credit.adapters.repository import PgCreditLineRepository, PgPartyRepository
from g60_credit.domain.events import CreditEvent


class PgCreditUnitOfWork(PgUnitOfWork):
    async def __aenter__(self) -> PgCreditUnitOfWork:
        await super().__aenter__()
        self.lines = PgCreditLineRepository(self.conn)
        self.parties = PgPartyRepository(self.conn)
        self.applications = PgApplicationRepository(self.conn)
        self.guarantors = PgGuarantorRepository(self.conn)
        self.audit = PgAuditRepository(self.conn)
        return self

    def now(self) -> datetime:
        return self._clock()

    async def publish(self, event: CreditEvent) -> None:
        envelope = event_to_envelope(event, self._clock(), current_correlation_id())
        await self.append_event(TOPIC_CREDIT_EVENTS, envelope)
