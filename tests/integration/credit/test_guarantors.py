"""A guarantee company as a caller of the real credit service: its capacity, the lines it
backs and the loans on them; everything else is NOT_FOUND, and it writes nothing but
compensations (test_compensation.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60common.grpc_errors import error_reason_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    CreditWorld,
    as_bank,
    as_enterprise,
    as_guarantor,
    as_operator,
    code_of,
    rid,
    today,
)

pytestmark = pytest.mark.integration

HALF_BP = 5_000


@dataclass(frozen=True)
class Backed:
    """Two banks' lines for two enterprises, both half-guaranteed by one guarantor."""

    guarantor: str
    banks: tuple[str, str]
    enterprises: tuple[str, str]
    lines: tuple[str, str]


async def _backed(world: CreditWorld, capacity_fen: int, limit_fen: int = 10_000_000) -> Backed:
    guarantor = await world.member(institution_type="GUARANTEE", city="340100")
    banks = (await world.member(), await world.member(city="320500"))
    enterprises = (await world.enterprise(), await world.enterprise(city="320500"))
    await world.set_capacity(guarantor, capacity_fen)
    lines = [
        await world.line(bank, ent, limit_fen, guarantor_id=guarantor, cover_ratio_bp=HALF_BP)
        for bank, ent in zip(banks, enterprises, strict=True)
    ]
    return Backed(guarantor, banks, enterprises, (lines[0].credit_line_id, lines[1].credit_line_id))


async def _refused(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call
    return refused.value


async def test_capacity_is_read_by_the_office_and_the_guarantor_itself(world: CreditWorld) -> None:
    backed = await _backed(world, 300_000)
    never_set = await world.member(institution_type="GUARANTEE")
    own = await world.capacity(backed.guarantor, as_guarantor(backed.guarantor))
    assert (own.capacity_fen, own.used_fen, own.available_fen) == (300_000, 0, 300_000)
    assert await world.capacity(backed.guarantor, as_operator()) == own
    for guarantor_id, metadata in [
        (backed.guarantor, as_guarantor(never_set)),
        (backed.guarantor, as_bank(backed.banks[0])),
        (backed.guarantor, as_enterprise(backed.enterprises[0])),
        (never_set, as_guarantor(never_set)),  # its own, but never set
        (never_set, as_operator()),
        ("not-a-uuid", as_operator()),
    ]:
        refused = await _refused(world.capacity(guarantor_id, metadata))
        assert refused.code() == grpc.StatusCode.NOT_FOUND, (guarantor_id, metadata)


async def test_a_capacity_lowered_below_use_shows_nothing_available(world: CreditWorld) -> None:
    backed = await _backed(world, 300_000)
    app = await world.approved_application(
        backed.banks[0], backed.enterprises[0], backed.lines[0], 400_000
    )
    await world.draw(backed.banks[0], app.application_id, 400_000)  # takes 200,000 of cover
    await world.set_capacity(backed.guarantor, 150_000)
    seen = await world.capacity(backed.guarantor, as_guarantor(backed.guarantor))
    assert (seen.capacity_fen, seen.used_fen, seen.available_fen) == (150_000, 200_000, 0)


async def test_a_guarantor_lists_and_reads_the_lines_it_backs_only(world: CreditWorld) -> None:
    backed = await _backed(world, 300_000)
    other_guarantor = await world.member(institution_type="GUARANTEE")
    unbacked = await world.line(backed.banks[0], backed.enterprises[0])
    listed = await world.credit.ListCreditLines(
        credit_pb2.ListCreditLinesRequest(page_size=1),
        metadata=as_guarantor(backed.guarantor),
        timeout=DEADLINE_S,
    )
    assert len(listed.credit_lines) == 1 and listed.next_page_token
    rest = await world.credit.ListCreditLines(
        credit_pb2.ListCreditLinesRequest(page_token=listed.next_page_token),
        metadata=as_guarantor(backed.guarantor),
        timeout=DEADLINE_S,
    )
    lines = [*listed.credit_lines, *rest.credit_lines]
    assert sorted(line.credit_line_id for line in lines) == sorted(backed.lines)
    assert {line.bank_id for line in lines} == set(backed.banks)
    for line_id in backed.lines:
        line = await world.credit.GetCreditLine(
            credit_pb2.GetCreditLineRequest(credit_line_id=line_id),
            metadata=as_guarantor(backed.guarantor),
            timeout=DEADLINE_S,
        )
        assert line.guarantor_id == backed.guarantor
    for line_id, reader in [
        (unbacked.credit_line_id, backed.guarantor),
        (backed.lines[0], other_guarantor),
    ]:
        refused = await _refused(
            world.credit.GetCreditLine(
                credit_pb2.GetCreditLineRequest(credit_line_id=line_id),
                metadata=as_guarantor(reader),
                timeout=DEADLINE_S,
            )
        )
        assert refused.code() == grpc.StatusCode.NOT_FOUND
    none = await world.credit.ListCreditLines(
        credit_pb2.ListCreditLinesRequest(),
        metadata=as_guarantor(other_guarantor),
        timeout=DEADLINE_S,
    )
    assert list(none.credit_lines) == []


async def _loans(
    world: CreditWorld, guarantor: str, status: str = "", *, overdue: bool = False
) -> list[credit_pb2.FinancingApplication]:
    reply = await world.credit.ListFinancingApplications(
        credit_pb2.ListFinancingApplicationsRequest(status=status, overdue=overdue),
        metadata=as_guarantor(guarantor),
        timeout=DEADLINE_S,
    )
    return list(reply.applications)


async def test_a_guarantor_reads_the_loans_on_its_lines_as_the_lender_does(
    world: CreditWorld,
) -> None:
    backed = await _backed(world, 1_000_000)
    bank, ent = backed.banks[0], backed.enterprises[0]
    drawn = await world.approved_application(bank, ent, backed.lines[0], 300_000)
    await world.draw(bank, drawn.application_id, 100_000)
    approved = await world.approved_application(
        backed.banks[1], backed.enterprises[1], backed.lines[1], 50_000
    )
    # Submitted only: bound to no line yet, so no guarantor's business.
    await world.credit.ApplyForFinancing(
        credit_pb2.ApplyForFinancingRequest(
            request_id=rid(),
            bank_id=bank,
            currency="CNY",
            amount_fen=1_000,
            term_months=6,
            purpose="pending",
        ),
        metadata=as_enterprise(ent),
        timeout=DEADLINE_S,
    )
    loans = await _loans(world, backed.guarantor)
    assert [a.application_id for a in loans] == sorted(
        [drawn.application_id, approved.application_id]
    )
    assert [a.application_id for a in await _loans(world, backed.guarantor, "DISBURSED")] == [
        drawn.application_id
    ]
    get = credit_pb2.GetFinancingApplicationRequest(application_id=drawn.application_id)
    seen = await world.credit.GetFinancingApplication(
        get, metadata=as_guarantor(backed.guarantor), timeout=DEADLINE_S
    )
    lender = await world.credit.GetFinancingApplication(
        get, metadata=as_bank(bank), timeout=DEADLINE_S
    )
    assert seen == lender and seen.disbursed_fen == 100_000
    movements = await world.credit.ListFundsMovements(
        credit_pb2.ListFundsMovementsRequest(application_id=drawn.application_id),
        metadata=as_guarantor(backed.guarantor),
        timeout=DEADLINE_S,
    )
    assert [(m.kind, m.amount_fen, m.guarantee_fen) for m in movements.movements] == [
        ("DRAWDOWN", 100_000, 50_000)
    ]
    history = await world.credit.ListApplicationHistory(
        credit_pb2.ListApplicationHistoryRequest(application_id=drawn.application_id),
        metadata=as_guarantor(backed.guarantor),
        timeout=DEADLINE_S,
    )
    assert [e.action for e in history.entries] == ["APPLY", "APPROVE", "DRAWDOWN"]
    assert {e.request_id for e in history.entries} == {""}  # the lender's and the SME's own


async def test_a_guarantor_lists_the_overdue_loans_it_backs(world: CreditWorld) -> None:
    backed = await _backed(world, 1_000_000)
    late, on_time = [
        await world.approved_application(bank, ent, line_id, 100_000)
        for bank, ent, line_id in zip(backed.banks, backed.enterprises, backed.lines, strict=True)
    ]
    for bank, app in zip(backed.banks, (late, on_time), strict=True):
        await world.draw(bank, app.application_id, 100_000)
    assert await _loans(world, backed.guarantor, overdue=True) == []
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:  # the clock stays; the term moves back so the loan matured yesterday
        await conn.execute(
            "UPDATE financing_applications SET maturity_date = $2 WHERE application_id = $1",
            late.application_id,
            today() - timedelta(days=1),
        )
    finally:
        await conn.close()
    overdue = await _loans(world, backed.guarantor, overdue=True)
    assert [app.application_id for app in overdue] == [late.application_id]
    stranger = await world.member(institution_type="GUARANTEE")
    assert await _loans(world, stranger, overdue=True) == []


async def test_others_loans_and_the_work_queue_are_refused_to_a_guarantor(
    world: CreditWorld,
) -> None:
    backed = await _backed(world, 1_000_000)
    stranger = await world.member(institution_type="GUARANTEE")
    bank, ent = backed.banks[0], backed.enterprises[0]
    app = await world.approved_application(bank, ent, backed.lines[0], 100_000)
    app_id = app.application_id
    for call in [
        world.credit.GetFinancingApplication(
            credit_pb2.GetFinancingApplicationRequest(application_id=app_id),
            metadata=as_guarantor(stranger),
            timeout=DEADLINE_S,
        ),
        world.credit.ListFundsMovements(
            credit_pb2.ListFundsMovementsRequest(application_id=app_id),
            metadata=as_guarantor(stranger),
            timeout=DEADLINE_S,
        ),
        world.credit.ListApplicationHistory(
            credit_pb2.ListApplicationHistoryRequest(application_id=app_id),
            metadata=as_guarantor(stranger),
            timeout=DEADLINE_S,
        ),
    ]:
        assert (await _refused(call)).code() == grpc.StatusCode.NOT_FOUND
    assert await _loans(world, stranger) == []
    queue = await _refused(
        world.credit.ListFinancingApplications(
            credit_pb2.ListFinancingApplicationsRequest(awaiting_decision=True),
            metadata=as_guarantor(backed.guarantor),
            timeout=DEADLINE_S,
        )
    )
    assert queue.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_guarantor_writes_nothing_but_compensations(world: CreditWorld) -> None:
    """Its one write, CompensateLoan, is tested in test_compensation.py."""
    backed = await _backed(world, 1_000_000)
    bank, ent = backed.banks[0], backed.enterprises[0]
    app = await world.approved_application(bank, ent, backed.lines[0], 100_000)
    me = as_guarantor(backed.guarantor)
    for call in [
        world.credit.Drawdown(
            credit_pb2.MoveFundsRequest(
                request_id=rid(), application_id=app.application_id, amount_fen=1_000
            ),
            metadata=me,
            timeout=DEADLINE_S,
        ),
        world.credit.FreezeCreditLine(
            credit_pb2.ChangeCreditLineStatusRequest(
                request_id=rid(), credit_line_id=backed.lines[0], reason="no"
            ),
            metadata=me,
            timeout=DEADLINE_S,
        ),
        world.credit.SetGuarantorCapacity(
            credit_pb2.SetGuarantorCapacityRequest(
                request_id=rid(), guarantor_id=backed.guarantor, capacity_fen=10**12
            ),
            metadata=me,
            timeout=DEADLINE_S,
        ),
        world.credit.ListCreditLineAudit(
            credit_pb2.ListCreditLineAuditRequest(credit_line_id=backed.lines[0]),
            metadata=me,
            timeout=DEADLINE_S,
        ),
    ]:
        assert (await _refused(call)).code() == grpc.StatusCode.PERMISSION_DENIED
    capacity = await world.capacity(backed.guarantor, me)
    assert (capacity.capacity_fen, capacity.used_fen) == (1_000_000, 0)


RACERS = 50
TRANCHE_FEN = 20_000  # half of it guaranteed
CAPACITY_FEN = 17 * TRANCHE_FEN // 2  # covers 17 tranches; the lines would take all 50


async def test_racing_drawdowns_on_two_banks_lines_stop_at_the_guarantor_s_capacity(
    world: CreditWorld,
) -> None:
    backed = await _backed(world, CAPACITY_FEN)
    apps = [
        await world.approved_application(bank, ent, line_id, RACERS * TRANCHE_FEN)
        for bank, ent, line_id in zip(backed.banks, backed.enterprises, backed.lines, strict=True)
    ]
    calls = [
        world.draw(backed.banks[i % 2], apps[i % 2].application_id, TRANCHE_FEN)
        for i in range(RACERS)
    ]
    results = await asyncio.gather(*calls, return_exceptions=True)
    ok = [r for r in results if isinstance(r, credit_pb2.MoveFundsResponse)]
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(ok) == CAPACITY_FEN // (TRANCHE_FEN // 2) == 17
    assert {code_of(f) for f in failures} == {grpc.StatusCode.FAILED_PRECONDITION}
    assert {error_reason_of(f) for f in failures} == {"GuarantorCapacityExceeded"}  # type: ignore[arg-type]
    capacity = await world.capacity(backed.guarantor, as_operator())
    assert capacity.used_fen == capacity.capacity_fen == CAPACITY_FEN
    assert capacity.available_fen == 0
    pairs = zip(backed.banks, backed.lines, strict=True)
    utilized = [(await world.get_line(bank, line_id)).utilized_fen for bank, line_id in pairs]
    assert sum(utilized) == len(ok) * TRANCHE_FEN  # no line kept a refused tranche
