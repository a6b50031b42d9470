"""Test helpers: parties registered through the members API, credit calls with the
caller metadata the gateway would send."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import g60_credit
import grpc
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60_credit.adapters.unit_of_work import PgCreditUnitOfWork
from g60common.launcher import ServiceProcess
from g60common.uscc import random_uscc

DEADLINE_S = 30.0
# The service applies it at every start; tests apply it to play an upgrade.
SCHEMA = Path(g60_credit.__file__).parent / "adapters" / "schema.sql"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The service's business date is Shanghai's; a test that starts at least this long
# before Shanghai midnight ends before it (the conftest waits out the rest).
MIDNIGHT_MARGIN_S = 90.0


def today() -> date:
    """The business date now, read when used: a module constant would go stale when
    the suite runs across Shanghai midnight."""
    return datetime.now(UTC).astimezone(SHANGHAI).date()


def seconds_to_shanghai_midnight() -> float:
    now = datetime.now(UTC).astimezone(SHANGHAI)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), SHANGHAI)
    return (midnight - now).total_seconds()


Metadata = tuple[tuple[str, str], ...]


def as_bank(bank_id: str) -> Metadata:
    return (("x-g60-caller-type", "bank"), ("x-g60-caller-id", bank_id))


def as_enterprise(enterprise_id: str) -> Metadata:
    return (("x-g60-caller-type", "enterprise"), ("x-g60-caller-id", enterprise_id))


def as_guarantor(guarantor_id: str) -> Metadata:
    return (("x-g60-caller-type", "guarantor"), ("x-g60-caller-id", guarantor_id))


def as_operator(operator_id: str = "ops-1") -> Metadata:
    return (("x-g60-caller-type", "operator"), ("x-g60-caller-id", operator_id))


def apply_request(
    bank_id: str, amount_fen: int, *, term_months: int = 12, purpose: str = "working capital"
) -> credit_pb2.ApplyForFinancingRequest:
    """A CNY application with a fresh request id; an empty `bank_id` asks the whole city."""
    return credit_pb2.ApplyForFinancingRequest(
        request_id=rid(),
        bank_id=bank_id,
        currency="CNY",
        amount_fen=amount_fen,
        term_months=term_months,
        purpose=purpose,
    )


def rid() -> str:
    return str(uuid.uuid4())


@dataclass
class CreditWorld:
    credit: credit_pb2_grpc.CreditServiceStub
    members: members_pb2_grpc.MembersServiceStub
    services: dict[str, ServiceProcess]
    # Seeded afresh per world: codes must be new in a database that an earlier run on
    # the same stack (G60_PG_DSN) filled, as members_helpers' are.
    rng: random.Random = field(default_factory=lambda: random.Random(uuid.uuid4().int))

    async def member(self, institution_type: str = "BANK", city: str = "330100") -> str:
        reply = await self.members.RegisterMember(
            members_pb2.RegisterMemberRequest(
                request_id=rid(),
                name=f"Test {institution_type} {uuid.uuid4().hex[:8]}",
                institution_type=institution_type,
                home_city=city,
                uscc=random_uscc(self.rng, city),
            ),
            metadata=as_operator(),
            timeout=DEADLINE_S,
        )
        return str(reply.member_id)

    async def enterprise(self, city: str = "330100") -> str:
        reply = await self.members.RegisterEnterprise(
            members_pb2.RegisterEnterpriseRequest(
                request_id=rid(),
                name=f"Test SME {uuid.uuid4().hex[:8]}",
                uscc=random_uscc(self.rng, city),
                city=city,
                industry="INTEGRATED_CIRCUITS",
                size_class="SMALL",
            ),
            metadata=as_operator(),
            timeout=DEADLINE_S,
        )
        return str(reply.enterprise_id)

    async def line(
        self,
        bank_id: str,
        enterprise_id: str,
        limit_fen: int = 1_000_000,
        *,
        revolving: bool = True,
        valid_from: str = "",
        valid_to: str = "",
        guarantor_id: str = "",
        cover_ratio_bp: int = 0,
    ) -> credit_pb2.CreditLine:
        line: credit_pb2.CreditLine = await self.credit.RegisterCreditLine(
            credit_pb2.RegisterCreditLineRequest(
                request_id=rid(),
                enterprise_id=enterprise_id,
                product="GUARANTEE_BACKED" if guarantor_id else "WORKING_CAPITAL",
                currency="CNY",
                limit_fen=limit_fen,
                revolving=revolving,
                valid_from=valid_from or (today() - timedelta(days=30)).isoformat(),
                valid_to=valid_to or (today() + timedelta(days=3 * 365)).isoformat(),
                guarantor_id=guarantor_id,
                cover_ratio_bp=cover_ratio_bp,
            ),
            metadata=as_bank(bank_id),
            timeout=DEADLINE_S,
        )
        return line

    async def approved_application(
        self, bank_id: str, enterprise_id: str, line_id: str, amount_fen: int
    ) -> credit_pb2.FinancingApplication:
        app = await self.credit.ApplyForFinancing(
            apply_request(bank_id, amount_fen),
            metadata=as_enterprise(enterprise_id),
            timeout=DEADLINE_S,
        )
        approved: credit_pb2.FinancingApplication = await self.credit.ApproveFinancing(
            credit_pb2.ApproveFinancingRequest(
                request_id=rid(), application_id=app.application_id, credit_line_id=line_id
            ),
            metadata=as_bank(bank_id),
            timeout=DEADLINE_S,
        )
        return approved

    async def loan(self, drawn_fen: int = 100_000) -> tuple[str, str, str]:
        """(bank, enterprise, application id) of a new 12-month loan of a new bank to a
        new enterprise, `drawn_fen` drawn today (0: approved, undrawn)."""
        bank, ent = await self.member(), await self.enterprise()
        line = await self.line(bank, ent, limit_fen=1_000_000)
        app = await self.approved_application(bank, ent, line.credit_line_id, 500_000)
        if drawn_fen:
            await self.draw(bank, app.application_id, drawn_fen)
        return bank, ent, app.application_id

    async def repay(self, bank_id: str, application_id: str, amount_fen: int = 100_000) -> None:
        await self.credit.RecordRepayment(
            credit_pb2.MoveFundsRequest(
                request_id=rid(), application_id=application_id, amount_fen=amount_fen
            ),
            metadata=as_bank(bank_id),
            timeout=DEADLINE_S,
        )

    async def draw(
        self, bank_id: str, application_id: str, amount_fen: int, request_id: str = ""
    ) -> credit_pb2.MoveFundsResponse:
        moved: credit_pb2.MoveFundsResponse = await self.credit.Drawdown(
            credit_pb2.MoveFundsRequest(
                request_id=request_id or rid(), application_id=application_id, amount_fen=amount_fen
            ),
            metadata=as_bank(bank_id),
            timeout=DEADLINE_S,
        )
        return moved

    async def set_capacity(self, guarantor_id: str, capacity_fen: int) -> None:
        await self.credit.SetGuarantorCapacity(
            credit_pb2.SetGuarantorCapacityRequest(
                request_id=rid(), guarantor_id=guarantor_id, capacity_fen=capacity_fen
            ),
            metadata=as_operator(),
            timeout=DEADLINE_S,
        )

    async def capacity(self, guarantor_id: str, metadata: Metadata) -> credit_pb2.GuarantorCapacity:
        found: credit_pb2.GuarantorCapacity = await self.credit.GetGuarantorCapacity(
            credit_pb2.GetGuarantorCapacityRequest(guarantor_id=guarantor_id),
            metadata=metadata,
            timeout=DEADLINE_S,
        )
        return found

    async def get_line(self, bank_id: str, line_id: str) -> credit_pb2.CreditLine:
        line: credit_pb2.CreditLine = await self.credit.GetCreditLine(
            credit_pb2.GetCreditLineRequest(credit_line_id=line_id),
            metadata=as_bank(bank_id),
            timeout=DEADLINE_S,
        )
        return line


def system_uow(pool: asyncpg.Pool) -> PgCreditUnitOfWork:
    """A unit of work on the credit database as the service's sweeper makes one, for
    running its handlers from the test process."""
    return PgCreditUnitOfWork(pool, lambda: datetime.now(UTC), 10.0)


async def sweep_until(
    sweep: Callable[[], Awaitable[object]],
    settled: Callable[[], Awaitable[bool]],
    timeout_s: float = 15.0,
) -> None:
    """Runs `sweep` until `settled` (or the deadline; the caller's asserts then say
    what is missing). One more sweep alone proves nothing: a row the service's own
    sweeper holds is skipped (SKIP LOCKED), and its change is not visible until that
    sweeper commits."""
    deadline = time.monotonic() + timeout_s
    await sweep()
    while not await settled() and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        await sweep()


async def restart_credit(world: CreditWorld) -> None:
    """Starts the session's credit service again (after a kill) and waits for it."""
    credit = world.services["credit"]
    credit.start()
    await asyncio.to_thread(credit.wait_ready)


def code_of(exc: BaseException) -> grpc.StatusCode | None:
    return exc.code() if isinstance(exc, grpc.aio.AioRpcError) else None


@asynccontextmanager
async def credit_restarted_with(
    world: CreditWorld, env: Mapping[str, str], companions: Sequence[ServiceProcess] = ()
) -> AsyncIterator[ServiceProcess]:
    """The session's credit service restarted with `env` on top of its own (and any
    companion processes started after it); the original is back afterwards."""
    original = world.services["credit"]
    credit = replace(original, env={**original.env, **env}, process=None)
    original.stop()
    world.services["credit"] = credit
    try:
        for process in (credit, *companions):
            process.start()
            await asyncio.to_thread(process.wait_ready)
        yield credit
    finally:
        for process in (*reversed(companions), credit):
            process.stop()
        world.services["credit"] = original
        original.start()
        await asyncio.to_thread(original.wait_ready)
