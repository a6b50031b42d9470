"""Ports of the credit service layer."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from g60_credit.domain.events import CreditEvent
from g60_credit.domain.model import CreditLine
from g60_credit.domain.parties import EnterpriseView, MemberView


class CreditLineRepository(Protocol):
    async def add(self, line: CreditLine) -> None: ...
    async def get(self, credit_line_id: str) -> CreditLine | None: ...


class PartyRepository(Protocol):
    """The local read model of members and enterprises."""

    async def member(self, member_id: str) -> MemberView | None: ...
    async def enterprise(self, enterprise_id: str) -> EnterpriseView | None: ...


class CreditUnitOfWork(Protocol):
    @property
    def lines(self) -> CreditLineRepository: ...
    @property
    def parties(self) -> PartyRepository: ...

    async def __aenter__(self) -> CreditUnitOfWork: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    async def claim_request(
        self, caller: str, request_id: str, fingerprint: bytes
    ) -> bytes | None: ...
    async def record_response(self, caller: str, request_id: str, response: bytes) -> None: ...
    async def publish(self, event: CreditEvent) -> None: ...


class PartyDirectory(Protocol):
    """Makes sure the read model knows the given parties, asking the members service
    only for ids the read model has never seen (it works while members is down for
    every party it already knows)."""

    async def ensure_known(self, member_ids: list[str], enterprise_ids: list[str]) -> None: ...
