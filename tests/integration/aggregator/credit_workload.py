"""A randomized workload of real credit commands (gRPC, as the gateway calls them):
lines in all nine cities, amendments up and down, freezes, applications approved,
rejected and withdrawn, drawdowns and repayments. Refused commands are part of the
workload too: they must leave no trace in the totals."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
from g60.credit.v1 import credit_pb2, credit_pb2_grpc
from g60.members.v1 import members_pb2, members_pb2_grpc
from g60common.corridor import CORRIDOR_CITIES
from g60common.uscc import random_uscc

DEADLINE_S = 30.0
TODAY = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
INDUSTRIES = ("ARTIFICIAL_INTELLIGENCE", "INTEGRATED_CIRCUITS", "BIOMEDICINE", "NEW_MATERIALS")
SIZES = ("MICRO", "SMALL", "MEDIUM")
Metadata = tuple[tuple[str, str], ...]


def _as(kind: str, who: str) -> Metadata:
    return (("x-g60-caller-type", kind), ("x-g60-caller-id", who))


def _rid() -> str:
    return str(uuid.uuid4())


@dataclass
class Line:
    line_id: str
    bank_id: str
    enterprise_id: str
    limit_fen: int


@dataclass
class Application:
    app_id: str
    enterprise_id: str
    bank_id: str  # "" for matchmaking
    amount_fen: int
    approved_by: str = ""
    open_fen: int = 0  # approved - disbursed
    outstanding_fen: int = 0


@dataclass
class CreditWorkload:
    credit: credit_pb2_grpc.CreditServiceStub
    members: members_pb2_grpc.MembersServiceStub
    rng: random.Random
    banks: list[str] = field(default_factory=list)
    enterprises: list[str] = field(default_factory=list)
    # Their capacity settings share the topic as aggregate GuarantorCapacity, which
    # the totals must skip without counting version gaps.
    guarantors: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    apps: list[Application] = field(default_factory=list)
    attempted: int = 0
    refused: int = 0

    async def setup(self, banks_per_city: int = 2, enterprises_per_city: int = 4) -> None:
        for city in sorted(CORRIDOR_CITIES):
            for _ in range(banks_per_city):
                self.banks.append(await self._member(city))
            for i in range(enterprises_per_city):
                self.enterprises.append(await self._enterprise(city, i))
        self.guarantors += [await self._member(city, "GUARANTEE") for city in ("310117", "340100")]

    async def _member(self, city: str, institution_type: str = "BANK") -> str:
        reply = await self.members.RegisterMember(
            members_pb2.RegisterMemberRequest(
                request_id=_rid(),
                name=f"{institution_type.title()} {uuid.uuid4().hex[:8]}",
                institution_type=institution_type,
                home_city=city,
                uscc=random_uscc(self.rng, city),
            ),
            metadata=_as("operator", "ops-1"),
            timeout=DEADLINE_S,
        )
        return str(reply.member_id)

    async def _enterprise(self, city: str, i: int) -> str:
        reply = await self.members.RegisterEnterprise(
            members_pb2.RegisterEnterpriseRequest(
                request_id=_rid(),
                name=f"SME {uuid.uuid4().hex[:8]}",
                uscc=random_uscc(self.rng, city),
                city=city,
                industry=INDUSTRIES[i % len(INDUSTRIES)],
                size_class=SIZES[i % len(SIZES)],
            ),
            metadata=_as("operator", "ops-1"),
            timeout=DEADLINE_S,
        )
        return str(reply.enterprise_id)

    async def first_lines(self, deadline_s: float = 60.0) -> None:
        """One line per enterprise, retried until the credit service has seen the parties
        (it learns about members and enterprises from their events)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline_s
        for enterprise_id in self.enterprises:
            while True:
                if await self._register(self.rng.choice(self.banks), enterprise_id):
                    break
                assert loop.time() < end, "credit service never learnt about the parties"
                await asyncio.sleep(0.2)

    async def _register(self, bank_id: str, enterprise_id: str) -> bool:
        limit = self.rng.randint(1, 5_000) * 10_000_00
        reply = await self._call(
            self.credit.RegisterCreditLine,
            credit_pb2.RegisterCreditLineRequest(
                request_id=_rid(),
                enterprise_id=enterprise_id,
                product="WORKING_CAPITAL",
                currency="CNY",
                limit_fen=limit,
                revolving=self.rng.random() < 0.5,
                valid_from=(TODAY - timedelta(days=30)).isoformat(),
                valid_to=(TODAY + timedelta(days=365)).isoformat(),
            ),
            _as("bank", bank_id),
        )
        if reply is not None:
            self.lines.append(Line(reply.credit_line_id, bank_id, enterprise_id, limit))
        return reply is not None

    async def _call(self, method: Any, request: object, metadata: Metadata) -> Any:
        """The reply, or None when the service refused the command."""
        self.attempted += 1
        try:
            return await method(request, metadata=metadata, timeout=DEADLINE_S)
        except grpc.aio.AioRpcError as exc:
            if exc.code() in (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED):
                raise
            self.refused += 1
            return None

    async def step(self) -> None:
        roll = self.rng.random()
        if roll < 0.10:
            await self._register(self.rng.choice(self.banks), self.rng.choice(self.enterprises))
        elif roll < 0.18:
            await self._amend(self.rng.choice(self.lines))
        elif roll < 0.24:
            await self._status(self.rng.choice(self.lines))
        elif roll < 0.40:
            await self._apply()
        elif roll < 0.52:
            await self._decide()
        elif roll < 0.78:
            await self._draw()
        elif roll < 0.79:
            await self._close_financing()
        elif roll < 0.80:
            await self._set_capacity(self.rng.choice(self.guarantors))
        else:
            await self._repay()

    async def _set_capacity(self, guarantor_id: str) -> None:
        await self._call(
            self.credit.SetGuarantorCapacity,
            credit_pb2.SetGuarantorCapacityRequest(
                request_id=_rid(),
                guarantor_id=guarantor_id,
                capacity_fen=self.rng.randint(1, 1_000) * 1_000_000,
            ),
            _as("operator", "ops-1"),
        )

    async def _amend(self, line: Line) -> None:
        new_limit = max(line.limit_fen + self.rng.randint(-20, 40) * 1_000_000, 1_000_000)
        reply = await self._call(
            self.credit.AmendCreditLimit,
            credit_pb2.AmendCreditLimitRequest(
                request_id=_rid(),
                credit_line_id=line.line_id,
                new_limit_fen=new_limit,
                reason="t",
            ),
            _as("bank", line.bank_id),
        )
        if reply is not None:
            line.limit_fen = new_limit

    async def _status(self, line: Line) -> None:
        method = self.rng.choice(
            [self.credit.FreezeCreditLine, self.credit.UnfreezeCreditLine] * 4
            + [self.credit.CloseCreditLine]
        )
        request = credit_pb2.ChangeCreditLineStatusRequest(
            request_id=_rid(), credit_line_id=line.line_id, reason="test"
        )
        await self._call(method, request, _as("bank", line.bank_id))

    async def _apply(self) -> None:
        line = self.rng.choice(self.lines)
        bank_id = "" if self.rng.random() < 0.1 else line.bank_id
        amount = self.rng.randint(1, 1_000) * 100_000
        reply = await self._call(
            self.credit.ApplyForFinancing,
            credit_pb2.ApplyForFinancingRequest(
                request_id=_rid(),
                bank_id=bank_id,
                currency="CNY",
                amount_fen=amount,
                term_months=12,
                purpose="working capital",
            ),
            _as("enterprise", line.enterprise_id),
        )
        if reply is not None:
            self.apps.append(Application(reply.application_id, line.enterprise_id, bank_id, amount))

    def _undecided(self) -> Application | None:
        pending = [a for a in self.apps[-200:] if not a.approved_by and a.amount_fen]
        return self.rng.choice(pending) if pending else None

    async def _decide(self) -> None:
        app = self._undecided()
        if app is None:
            return await self._apply()
        lines = [ln for ln in self.lines if ln.enterprise_id == app.enterprise_id]
        if app.bank_id:
            lines = [ln for ln in lines if ln.bank_id == app.bank_id]
        roll = self.rng.random()
        if roll < 0.1:
            await self._call(
                self.credit.WithdrawFinancing,
                credit_pb2.WithdrawFinancingRequest(
                    request_id=_rid(), application_id=app.app_id, reason="t"
                ),
                _as("enterprise", app.enterprise_id),
            )
            app.amount_fen = 0
        elif roll < 0.3 or not lines:
            bank = app.bank_id or self.rng.choice(self.banks)
            await self._call(
                self.credit.RejectFinancing,
                credit_pb2.RejectFinancingRequest(
                    request_id=_rid(), application_id=app.app_id, reason="t"
                ),
                _as("bank", bank),
            )
            app.amount_fen = 0 if app.bank_id else app.amount_fen
        else:
            line = self.rng.choice(lines)
            reply = await self._call(
                self.credit.ApproveFinancing,
                credit_pb2.ApproveFinancingRequest(
                    request_id=_rid(), application_id=app.app_id, credit_line_id=line.line_id
                ),
                _as("bank", line.bank_id),
            )
            if reply is not None:
                app.approved_by, app.open_fen = line.bank_id, app.amount_fen
        return None

    async def _draw(self) -> None:
        ready = [a for a in self.apps if a.approved_by and a.open_fen > 0]
        if not ready:
            return await self._decide()
        app = self.rng.choice(ready)
        amount = self.rng.randint(1, app.open_fen)
        reply = await self._call(
            self.credit.Drawdown,
            credit_pb2.MoveFundsRequest(
                request_id=_rid(), application_id=app.app_id, amount_fen=amount
            ),
            _as("bank", app.approved_by),
        )
        if reply is not None:
            app.open_fen -= amount
            app.outstanding_fen += amount
        return None

    async def _repay(self) -> None:
        owing = [a for a in self.apps if a.outstanding_fen > 0]
        if not owing:
            return await self._draw()
        app = self.rng.choice(owing)
        amount = self.rng.randint(1, app.outstanding_fen)
        reply = await self._call(
            self.credit.RecordRepayment,
            credit_pb2.MoveFundsRequest(
                request_id=_rid(), application_id=app.app_id, amount_fen=amount
            ),
            _as("bank", app.approved_by),
        )
        if reply is not None:
            app.outstanding_fen -= amount
        return None

    async def _close_financing(self) -> None:
        """Refused while principal is outstanding; closes the facility otherwise."""
        approved = [a for a in self.apps if a.approved_by and a.open_fen > 0]
        if not approved:
            return await self._draw()
        app = self.rng.choice(approved)
        request = credit_pb2.CloseFinancingRequest(
            request_id=_rid(), application_id=app.app_id, reason="test"
        )
        if await self._call(self.credit.CloseFinancing, request, _as("bank", app.approved_by)):
            app.open_fen = 0
        return None

    async def run(self, commands: int, concurrency: int) -> None:
        async def worker() -> None:
            while self.attempted < commands:
                await self.step()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
