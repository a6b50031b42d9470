"""In-memory fakes of the credit service's ports: a unit of work whose changes
appear only on commit, like the PostgreSQL one."""

from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any

from g60_credit.domain.application import FinancingApplication
from g60_credit.domain.errors import CreditLimitExceeded, GuarantorCapacityExceeded
from g60_credit.domain.events import CreditEvent
from g60_credit.domain.guarantee import GuarantorCapacity
from g60_credit.domain.model import CreditLine, CreditLineStatus
from g60_credit.domain.parties import EnterpriseView, MemberView
from g60_credit.domain.queries import (
    ApplicationQuery,
    AuditEntry,
    AuditRecord,
    GuaranteedLoanQuery,
    LineQuery,
    MovementRecord,
)
from g60common.idempotency import IdempotencyConflict

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


class _Store:
    """Committed rows plus the open transaction's staged rows."""

    def __init__(self) -> None:
        self.rows: dict[str, Any] = {}
        self.staged: dict[str, Any] = {}

    def read(self, key: str) -> Any:
        found = self.staged.get(key, self.rows.get(key))
        return copy.deepcopy(found)

    def write(self, key: str, value: Any) -> None:
        self.staged[key] = copy.deepcopy(value)


class FakeLines:
    def __init__(self, store: _Store) -> None:
        self.s = store

    async def add(self, line: CreditLine) -> None:
        self.s.write(line.credit_line_id, line)

    async def get(self, credit_line_id: str) -> CreditLine | None:
        return self.s.read(credit_line_id)  # type: ignore[no-any-return]

    get_for_update = get

    async def update(self, line: CreditLine, previous_version: int) -> None:
        self.s.write(line.credit_line_id, line)

    async def draw_down(self, line: CreditLine, amount_fen: int) -> None:
        stored = self.s.read(line.credit_line_id)
        if stored.available_fen < amount_fen:
            raise CreditLimitExceeded("fake")
        self.s.write(line.credit_line_id, line)

    async def list_visible(self, query: LineQuery) -> list[CreditLine]:
        lines = self._all()
        return [x for x in lines if query.viewer.can_see(x)][: query.limit]

    def _all(self) -> list[CreditLine]:
        rows = [self.s.read(k) for k in sorted({*self.s.rows, *self.s.staged})]
        return [x for x in rows if isinstance(x, CreditLine)]

    async def due_for_expiry(self, today: date, limit: int) -> list[CreditLine]:
        lines = self._all()
        live = (CreditLineStatus.ACTIVE, CreditLineStatus.FROZEN)
        return [x for x in lines if x.status in live and x.valid_to < today][:limit]


class FakeApplications:
    def __init__(self, store: _Store) -> None:
        self.s = store

    async def add(self, app: FinancingApplication) -> None:
        self.s.write(app.application_id, app)

    async def get(self, application_id: str) -> FinancingApplication | None:
        return self.s.read(application_id)  # type: ignore[no-any-return]

    get_for_update = get

    async def movements(
        self, application_id: str, after_sequence: int, limit: int
    ) -> list[MovementRecord]:
        keys = sorted(k for k in {*self.s.rows, *self.s.staged} if k.startswith("movement:"))
        rows = [(k.split(":", 1)[1], self.s.read(k)) for k in keys]
        ours = sorted((r for r in rows if r[1][0] == application_id), key=lambda r: r[1][4])
        records, disbursed, repaid = [], 0, 0
        for movement_id, (_, kind, (amount, guarantee), line_id, sequence) in ours:
            disbursed += amount if kind == "DRAWDOWN" else 0
            repaid += amount if kind in ("REPAYMENT", "COMPENSATION") else 0
            at = NOW.isoformat()
            record = MovementRecord(
                movement_id, kind, amount, guarantee, line_id, at, sequence, disbursed, repaid
            )
            records.append(record)
        return [r for r in records if r.sequence > after_sequence][:limit]

    async def due_for_overdue(self, today: date, limit: int) -> list[FinancingApplication]:
        keys = sorted({*self.s.rows, *self.s.staged})
        apps = [x for x in map(self.s.read, keys) if isinstance(x, FinancingApplication)]
        due = [x for x in apps if x.overdue_since is None and x.is_overdue(today)]
        return due[:limit]

    async def due_for_reclassification(self, today: date, limit: int) -> list[FinancingApplication]:
        keys = sorted({*self.s.rows, *self.s.staged})
        apps = [x for x in map(self.s.read, keys) if isinstance(x, FinancingApplication)]
        return [x for x in apps if x.reclassification_due(today) is not None][:limit]

    async def due_to_lapse(
        self, today: date, valid_days: int, limit: int
    ) -> list[FinancingApplication]:
        keys = sorted({*self.s.rows, *self.s.staged})
        apps = [x for x in map(self.s.read, keys) if isinstance(x, FinancingApplication)]
        return [x for x in apps if x.has_lapsed(today, valid_days)][:limit]

    async def due_soon(
        self, today: date, notice_days: int, limit: int
    ) -> list[FinancingApplication]:
        keys = sorted({*self.s.rows, *self.s.staged})
        apps = [x for x in map(self.s.read, keys) if isinstance(x, FinancingApplication)]
        return [x for x in apps if x.is_due_soon(today, notice_days)][:limit]

    async def list(self, query: ApplicationQuery, today: date) -> list[FinancingApplication]:
        return []

    async def update(self, app: FinancingApplication, previous_version: int) -> None:
        self.s.write(app.application_id, app)

    async def add_movement(
        self,
        movement_id: str,
        kind: str,
        app: FinancingApplication,
        amounts: tuple[int, int],
        line_version: int,
    ) -> None:
        self.s.write(
            f"movement:{movement_id}",
            (app.application_id, kind, amounts, app.credit_line_id, line_version),
        )


class FakeGuarantors:
    def __init__(self, store: _Store) -> None:
        self.s = store

    async def get(self, guarantor_id: str) -> GuarantorCapacity | None:
        found = self.s.read(guarantor_id)
        return found if isinstance(found, GuarantorCapacity) else None

    get_for_update = get

    async def lock_for_setting(self, guarantor_id: str) -> GuarantorCapacity | None:
        return self.s.read(guarantor_id)  # type: ignore[no-any-return]

    async def save(self, capacity: GuarantorCapacity) -> None:
        self.s.write(capacity.guarantor_id, capacity)

    async def consume(self, capacity: GuarantorCapacity, share_fen: int) -> None:
        stored = self.s.read(capacity.guarantor_id)
        if stored is None or stored.remaining_fen < share_fen:
            raise GuarantorCapacityExceeded("fake")
        self.s.write(capacity.guarantor_id, capacity)

    async def loans(self, query: GuaranteedLoanQuery, today: date) -> list[FinancingApplication]:
        rows = [self.s.read(k) for k in sorted({*self.s.rows, *self.s.staged})]
        apps = [a for a in rows if isinstance(a, FinancingApplication) and a.credit_line_id]
        mine = query.guarantor_id
        backed = [a for a in apps if self.s.read(a.credit_line_id).guarantor_id == mine]
        return [
            a
            for a in backed
            if a.application_id > query.after_id
            and query.status in ("", a.status)
            and (not query.overdue or a.is_overdue(today))
            and query.risk_class in ("", a.risk_class)
        ][: query.limit]


class FakeAudit:
    def __init__(self, store: _Store) -> None:
        self.s = store

    async def record(self, *entries: AuditEntry) -> None:
        for entry in entries:
            self.s.write(f"audit:{len(self.s.rows) + len(self.s.staged)}", entry)

    async def list(
        self, aggregate_type: str, aggregate_id: str, after_audit_id: int, limit: int
    ) -> list[AuditRecord]:
        keys = [k for k in {*self.s.rows, *self.s.staged} if k.startswith("audit:")]
        numbered = sorted((int(k.split(":")[1]), self.s.read(k)) for k in keys)
        return [
            AuditRecord(
                audit_id=number,
                action=e.action,
                actor=e.actor,
                request_id=e.request_id,
                occurred_at_iso=NOW.isoformat(),
                before_json="" if e.before is None else json.dumps(e.before),
                after_json=json.dumps(e.after),
            )
            for number, e in numbered
            if (e.aggregate_type, e.aggregate_id) == (aggregate_type, aggregate_id)
            and number > after_audit_id
        ][:limit]


class FakeParties:
    def __init__(self) -> None:
        self.members: dict[str, MemberView] = {}
        self.enterprises: dict[str, EnterpriseView] = {}

    async def member(self, member_id: str) -> MemberView | None:
        return self.members.get(member_id)

    async def enterprise(self, enterprise_id: str) -> EnterpriseView | None:
        return self.enterprises.get(enterprise_id)

    async def active_banks_in_city(self, city: str, limit: int) -> list[MemberView]:
        return [m for m in self.members.values() if m.is_active_bank and m.home_city == city]

    async def pair(
        self, bank_id: str, enterprise_id: str
    ) -> tuple[MemberView | None, EnterpriseView | None]:
        return self.members.get(bank_id), self.enterprises.get(enterprise_id)


class FakeUnitOfWork:
    def __init__(self) -> None:
        self.store = _Store()
        self.lines = FakeLines(self.store)
        self.applications = FakeApplications(self.store)
        self.guarantors = FakeGuarantors(self.store)
        self.audit = FakeAudit(self.store)
        self.parties = FakeParties()
        self.events: list[CreditEvent] = []
        self._staged_events: list[CreditEvent] = []
        self.requests: dict[tuple[str, str], tuple[bytes, bytes | None]] = {}
        self._staged_requests: dict[tuple[str, str], tuple[bytes, bytes | None]] = {}
        self.commits = 0

    def now(self) -> datetime:
        return NOW

    async def __aenter__(self) -> FakeUnitOfWork:
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.store.staged.clear()
        self._staged_events.clear()
        self._staged_requests.clear()

    async def commit(self) -> None:
        self.store.rows.update(self.store.staged)
        self.events += self._staged_events
        self.requests.update(self._staged_requests)
        self.commits += 1
        await self.__aexit__(None, None, None)

    async def claim_request(self, caller: str, request_id: str, fingerprint: bytes) -> bytes | None:
        found = self.requests.get((caller, request_id))
        if found is None:
            self._staged_requests[(caller, request_id)] = (fingerprint, None)
            return None
        if found[0] != fingerprint:
            raise IdempotencyConflict(request_id)
        return found[1]

    async def record_response(self, caller: str, request_id: str, response: bytes) -> None:
        fingerprint = self._staged_requests[(caller, request_id)][0]
        self._staged_requests[(caller, request_id)] = (fingerprint, response)

    async def publish(self, event: CreditEvent) -> None:
        self._staged_events.append(event)


class FakeDirectory:
    def __init__(self, uow: FakeUnitOfWork, members: dict[str, MemberView]) -> None:
        self.uow, self.remote, self.lookups = uow, members, 0

    async def ensure_known(self, member_ids: list[str], enterprise_ids: list[str]) -> None:
        self.lookups += 1
        for member_id in member_ids:
            if member_id in self.remote:
                self.uow.parties.members[member_id] = self.remote[member_id]
