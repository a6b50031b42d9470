"""Concurrent drawdowns never overdraw a line, whatever else races them."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60common.grpc_errors import error_reason_of

from tests.integration.credit.helpers import DEADLINE_S, CreditWorld, as_bank, code_of, rid

pytestmark = pytest.mark.integration

LIMIT_FEN = 1_000_000
TRANCHE_FEN = 10_000
RACERS = 200
REPETITIONS = 20


async def _outcomes(calls: list[asyncio.Future[object]] | list[object]) -> list[object]:
    return list(await asyncio.gather(*calls, return_exceptions=True))  # type: ignore[arg-type]


def _split(results: list[object]) -> tuple[int, list[BaseException]]:
    ok = sum(1 for r in results if isinstance(r, credit_pb2.MoveFundsResponse))
    failures = [r for r in results if isinstance(r, BaseException)]
    return ok, failures


async def test_two_hundred_racing_drawdowns_stop_exactly_at_the_limit(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    for _ in range(REPETITIONS):
        line = await world.line(bank, ent, LIMIT_FEN)
        # Two applications, each approved for the whole limit: only the line binds.
        apps = [
            await world.approved_application(bank, ent, line.credit_line_id, LIMIT_FEN)
            for _ in range(2)
        ]
        calls = [world.draw(bank, apps[i % 2].application_id, TRANCHE_FEN) for i in range(RACERS)]
        ok, failures = _split(await _outcomes(calls))  # type: ignore[arg-type]
        assert ok == LIMIT_FEN // TRANCHE_FEN
        assert len(failures) == RACERS - ok
        assert {code_of(f) for f in failures} == {grpc.StatusCode.FAILED_PRECONDITION}
        assert {error_reason_of(f) for f in failures} == {"CreditLimitExceeded"}  # type: ignore[arg-type]
        final = await world.get_line(bank, line.credit_line_id)
        assert final.utilized_fen == final.limit_fen == LIMIT_FEN
        assert final.available_fen == 0


async def test_limit_decrease_racing_drawdowns_keeps_the_invariant(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, LIMIT_FEN)
    app = await world.approved_application(bank, ent, line.credit_line_id, LIMIT_FEN)
    new_limit_fen = LIMIT_FEN // 2
    amend = world.credit.AmendCreditLimit(
        credit_pb2.AmendCreditLimitRequest(
            request_id=rid(), credit_line_id=line.credit_line_id, new_limit_fen=new_limit_fen
        ),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    draws = [world.draw(bank, app.application_id, TRANCHE_FEN) for _ in range(120)]
    # The amendment sits amid the drawdowns, so it lands while they are in flight.
    results = await _outcomes([*draws[:40], amend, *draws[40:]])  # type: ignore[list-item]
    amended = results.pop(40)
    ok, failures = _split(results)
    assert {code_of(f) for f in failures} <= {grpc.StatusCode.FAILED_PRECONDITION}
    final = await world.get_line(bank, line.credit_line_id)
    assert final.utilized_fen == ok * TRANCHE_FEN
    assert final.reserved_fen + final.utilized_fen <= final.limit_fen
    if isinstance(amended, credit_pb2.CreditLine):
        assert final.limit_fen == new_limit_fen
        assert ok <= new_limit_fen // TRANCHE_FEN
    else:
        # Refused only because the draws already used more than the new limit.
        assert error_reason_of(amended) == "LimitBelowUsage"  # type: ignore[arg-type]
        assert final.limit_fen == LIMIT_FEN and ok == LIMIT_FEN // TRANCHE_FEN


async def test_freeze_racing_drawdowns_stops_them(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent, LIMIT_FEN)
    app = await world.approved_application(bank, ent, line.credit_line_id, LIMIT_FEN)
    freeze = world.credit.FreezeCreditLine(
        credit_pb2.ChangeCreditLineStatusRequest(
            request_id=rid(), credit_line_id=line.credit_line_id, reason="review"
        ),
        metadata=as_bank(bank),
        timeout=DEADLINE_S,
    )
    draws = [world.draw(bank, app.application_id, TRANCHE_FEN) for _ in range(60)]
    results = await _outcomes([*draws[:30], freeze, *draws[30:]])  # type: ignore[list-item]
    frozen = results.pop(30)
    assert isinstance(frozen, credit_pb2.CreditLine) and frozen.status == "FROZEN"
    ok, failures = _split(results)
    assert {error_reason_of(f) for f in failures} <= {"CreditLineFrozen"}  # type: ignore[arg-type]
    final = await world.get_line(bank, line.credit_line_id)
    assert final.status == "FROZEN"
    # Every drawdown that committed did so before the freeze, which saw its balance.
    assert final.utilized_fen == ok * TRANCHE_FEN == frozen.utilized_fen
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.draw(bank, app.application_id, TRANCHE_FEN)
    assert refused.value.code() == grpc.StatusCode.FAILED_PRECONDITION
