"""In-memory fakes of the members unit of work (no mocks): a transaction stages a
copy of the state and commit() makes it the committed state, so a failed command
visibly writes nothing."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from types import TracebackType

from g60_members.domain.errors import DuplicateUscc, StaleVersion
from g60_members.domain.events import MembersEvent
from g60_members.domain.listing import EnterpriseFilter, MemberFilter
from g60_members.domain.model import Enterprise, EnterpriseStatus, Member
from g60common.idempotency import IdempotencyConflict


@dataclass
class _State:
    members: dict[str, Member] = field(default_factory=dict)
    enterprises: dict[str, Enterprise] = field(default_factory=dict)
    requests: dict[tuple[str, str], tuple[bytes, bytes | None]] = field(default_factory=dict)
    events: list[MembersEvent] = field(default_factory=list)


class FakeMembersRepository:
    def __init__(self, state: _State) -> None:
        self._s = state

    async def add_member(self, member: Member) -> None:
        if any(m.uscc == member.uscc for m in self._s.members.values()):
            raise DuplicateUscc(member.uscc)
        self._s.members[member.member_id] = copy.deepcopy(member)

    async def get_member(self, member_id: str, *, for_update: bool = False) -> Member | None:
        return copy.deepcopy(self._s.members.get(member_id))

    async def save_member(self, member: Member, previous_version: int) -> None:
        if self._s.members[member.member_id].version != previous_version:
            raise StaleVersion(member.member_id, previous_version, None)
        self._s.members[member.member_id] = copy.deepcopy(member)

    async def list_members(self, filters: MemberFilter, after_id: str, limit: int) -> list[Member]:
        found = [
            m
            for m in sorted(self._s.members.values(), key=lambda m: m.member_id)
            if m.member_id > after_id
            and filters.home_city in ("", m.home_city)
            and filters.institution_type in ("", m.institution_type)
            and filters.status in ("", m.status)
        ]
        return copy.deepcopy(found[:limit])

    async def add_enterprise(self, enterprise: Enterprise) -> None:
        # Like the partial unique index: a REJECTED enterprise no longer holds its code.
        live = (e for e in self._s.enterprises.values() if e.status != EnterpriseStatus.REJECTED)
        if any(e.uscc == enterprise.uscc for e in live):
            raise DuplicateUscc(enterprise.uscc)
        self._s.enterprises[enterprise.enterprise_id] = copy.deepcopy(enterprise)

    async def get_enterprise(
        self, enterprise_id: str, *, for_update: bool = False
    ) -> Enterprise | None:
        return copy.deepcopy(self._s.enterprises.get(enterprise_id))

    async def save_enterprise(self, enterprise: Enterprise, previous_version: int) -> None:
        if self._s.enterprises[enterprise.enterprise_id].version != previous_version:
            raise StaleVersion(enterprise.enterprise_id, previous_version, None)
        self._s.enterprises[enterprise.enterprise_id] = copy.deepcopy(enterprise)

    async def list_enterprises(
        self, filters: EnterpriseFilter, after_id: str, limit: int
    ) -> list[Enterprise]:
        found = [
            e
            for e in sorted(self._s.enterprises.values(), key=lambda e: e.enterprise_id)
            if e.enterprise_id > after_id and filters.city in ("", e.city)
        ]
        return copy.deepcopy(found[:limit])


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.committed = _State()
        self._staged: _State | None = None
        self.commits = 0

    @property
    def repo(self) -> FakeMembersRepository:
        assert self._staged is not None
        return FakeMembersRepository(self._staged)

    @property
    def events(self) -> list[MembersEvent]:
        return self.committed.events

    async def __aenter__(self) -> FakeUnitOfWork:
        self._staged = copy.deepcopy(self.committed)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._staged = None  # anything not committed is rolled back

    async def commit(self) -> None:
        assert self._staged is not None
        self.committed = self._staged
        self._staged = copy.deepcopy(self.committed)
        self.commits += 1

    async def claim_request(self, caller: str, request_id: str, fingerprint: bytes) -> bytes | None:
        assert self._staged is not None
        stored = self._staged.requests.get((caller, request_id))
        if stored is None:
            self._staged.requests[(caller, request_id)] = (fingerprint, None)
            return None
        if stored[0] != fingerprint:
            raise IdempotencyConflict(request_id)
        assert stored[1] is not None
        return stored[1]

    async def record_response(self, caller: str, request_id: str, response: bytes) -> None:
        assert self._staged is not None
        fingerprint, _ = self._staged.requests[(caller, request_id)]
        self._staged.requests[(caller, request_id)] = (fingerprint, response)

    async def publish(self, event: MembersEvent) -> None:
        assert self._staged is not None
        self._staged.events.append(copy.deepcopy(event))
