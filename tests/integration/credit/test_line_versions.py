"""Optimistic concurrency on a bank's changes to its lines (`expected_version`), over
real gRPC: a change decided on a version the line has left is refused and writes
nothing; racing officers holding the same version get exactly one change through."""

from __future__ import annotations

import asyncio

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60common.grpc_errors import error_reason_of, field_violations_of

from tests.integration.credit.helpers import DEADLINE_S, CreditWorld, as_bank, code_of, rid
from tests.integration.credit.outbox_checks import committed_versions

pytestmark = pytest.mark.integration


def _amend(line_id: str, limit_fen: int, expected_version: int, request_id: str = "") -> object:
    return credit_pb2.AmendCreditLimitRequest(
        request_id=request_id or rid(),
        credit_line_id=line_id,
        new_limit_fen=limit_fen,
        reason="credit committee",
        expected_version=expected_version,
    )


def _status(line_id: str, expected_version: int) -> credit_pb2.ChangeCreditLineStatusRequest:
    return credit_pb2.ChangeCreditLineStatusRequest(
        request_id=rid(), credit_line_id=line_id, reason="review", expected_version=expected_version
    )


async def _audit_rows(world: CreditWorld, line_id: str) -> int:
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        count: int = await conn.fetchval(
            "SELECT count(*) FROM credit_audit WHERE aggregate_id = $1::uuid", line_id
        )
        return count
    finally:
        await conn.close()


async def test_a_change_decided_on_an_old_version_is_refused_and_writes_nothing(
    world: CreditWorld,
) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line_id = (await world.line(bank, ent, 1_000_000)).credit_line_id
    raised = await world.credit.AmendCreditLimit(
        _amend(line_id, 2_000_000, 1), metadata=as_bank(bank), timeout=DEADLINE_S
    )
    assert raised.version == 2
    written = (await _audit_rows(world, line_id), await committed_versions(world, {line_id}))

    for stale in (
        world.credit.AmendCreditLimit(_amend(line_id, 500_000, 1), metadata=as_bank(bank)),
        world.credit.FreezeCreditLine(_status(line_id, 1), metadata=as_bank(bank)),
        world.credit.CloseCreditLine(_status(line_id, 3), metadata=as_bank(bank)),  # ahead
    ):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stale
        assert refused.value.code() == grpc.StatusCode.ABORTED
        assert error_reason_of(refused.value) == "STALE_VERSION"
        assert "version 2" in (refused.value.details() or "")

    line = await world.get_line(bank, line_id)
    assert (line.version, line.limit_fen, line.status) == (2, 2_000_000, "ACTIVE")
    assert (await _audit_rows(world, line_id), await committed_versions(world, {line_id})) == (
        written
    )
    frozen = await world.credit.FreezeCreditLine(_status(line_id, 2), metadata=as_bank(bank))
    unchecked = await world.credit.UnfreezeCreditLine(_status(line_id, 0), metadata=as_bank(bank))
    assert (frozen.version, unchecked.version, unchecked.status) == (3, 4, "ACTIVE")


async def test_officers_racing_on_one_version_get_exactly_one_change_through(
    world: CreditWorld,
) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line_id = (await world.line(bank, ent, 1_000_000)).credit_line_id
    calls = [
        world.credit.AmendCreditLimit(
            _amend(line_id, 1_000_000 + i, 1), metadata=as_bank(bank), timeout=DEADLINE_S
        )
        for i in range(1, 11)
    ] + [world.credit.FreezeCreditLine(_status(line_id, 1), metadata=as_bank(bank))]
    results = await asyncio.gather(*calls, return_exceptions=True)
    winners = [r for r in results if isinstance(r, credit_pb2.CreditLine)]
    refused = [r for r in results if not isinstance(r, credit_pb2.CreditLine)]
    assert len(winners) == 1 and winners[0].version == 2
    assert {code_of(r) for r in refused} == {grpc.StatusCode.ABORTED}
    assert {error_reason_of(r) for r in refused} == {"STALE_VERSION"}  # type: ignore[arg-type]
    line = await world.get_line(bank, line_id)
    assert (line.version, line.limit_fen, line.status) == (
        2,
        winners[0].limit_fen,
        winners[0].status,
    )
    assert await committed_versions(world, {line_id}) == {(line_id, 1), (line_id, 2)}


async def test_a_retry_returns_the_first_answer_even_after_the_line_moved_on(
    world: CreditWorld,
) -> None:
    """The request id decides first: the same request, retried after another change,
    is the first answer again, not a stale-version refusal; the same id with another
    expected version is another request, refused naming request_id."""
    bank, ent = await world.member(), await world.enterprise()
    line_id = (await world.line(bank, ent, 1_000_000)).credit_line_id
    request_id = rid()
    first = await world.credit.AmendCreditLimit(
        _amend(line_id, 1_500_000, 1, request_id), metadata=as_bank(bank)
    )
    await world.credit.FreezeCreditLine(_status(line_id, 2), metadata=as_bank(bank))
    again = await world.credit.AmendCreditLimit(
        _amend(line_id, 1_500_000, 1, request_id), metadata=as_bank(bank)
    )
    assert again == first
    with pytest.raises(grpc.aio.AioRpcError) as other:
        await world.credit.AmendCreditLimit(
            _amend(line_id, 1_500_000, 2, request_id), metadata=as_bank(bank)
        )
    assert other.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "request_id" in field_violations_of(other.value)


async def test_a_negative_expected_version_names_the_field(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line_id = (await world.line(bank, ent, 1_000_000)).credit_line_id
    with pytest.raises(grpc.aio.AioRpcError) as bad:
        await world.credit.FreezeCreditLine(_status(line_id, -1), metadata=as_bank(bank))
    assert bad.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "expected_version" in field_violations_of(bad.value)
    assert (await world.get_line(bank, line_id)).version == 1
