"""Financing applications: matchmaking, first approval wins, guarantees, repayments."""

from __future__ import annotations

import asyncio
import itertools
import time

import asyncpg
import grpc
import pytest
from g60.credit.v1 import credit_pb2
from g60.events.v1 import credit_events_pb2
from g60common.events import decode_envelope
from g60common.grpc_errors import error_reason_of, field_violations_of

from tests.integration.credit.helpers import (
    DEADLINE_S,
    CreditWorld,
    Metadata,
    apply_request,
    as_bank,
    as_enterprise,
    as_operator,
    rid,
    today,
)
from tests.integration.credit.outbox_checks import committed_versions, events_on_kafka

pytestmark = pytest.mark.integration
CITY = "341800"  # Xuancheng: few other tests register banks there


async def _apply_city_wide(
    world: CreditWorld, ent: str, banks: set[str]
) -> credit_pb2.FinancingApplication:
    """Banks reach the read model through the members projection; wait for them."""
    deadline = time.monotonic() + 20
    while True:
        app: credit_pb2.FinancingApplication = await world.credit.ApplyForFinancing(
            apply_request("", 300_000, term_months=6, purpose="matchmaking"),
            metadata=as_enterprise(ent),
            timeout=DEADLINE_S,
        )
        if banks <= set(app.target_bank_ids):
            return app
        assert time.monotonic() < deadline, "the projection never saw the banks"
        await asyncio.sleep(0.3)


Won = tuple[str, str, str, credit_pb2.CreditLine, credit_pb2.FinancingApplication]


async def _won_city_wide(world: CreditWorld) -> Won:
    """A matchmaking application that reached two banks, approved by the first: (winner,
    loser, enterprise, the winner's line, the application as first submitted)."""
    winner, loser = await world.member(city=CITY), await world.member(city=CITY)
    ent = await world.enterprise(city=CITY)
    line = await world.line(winner, ent)
    app = await _apply_city_wide(world, ent, {winner, loser})
    await world.credit.ApproveFinancing(
        credit_pb2.ApproveFinancingRequest(
            request_id=rid(), application_id=app.application_id, credit_line_id=line.credit_line_id
        ),
        metadata=as_bank(winner),
        timeout=DEADLINE_S,
    )
    return winner, loser, ent, line, app


async def test_city_wide_application_first_approval_wins(world: CreditWorld) -> None:
    banks = [await world.member(city=CITY) for _ in range(3)]
    ent = await world.enterprise(city=CITY)
    lines = [await world.line(bank, ent) for bank in banks]
    app = await _apply_city_wide(world, ent, set(banks))
    assert app.city_wide and app.status == "SUBMITTED"
    approvals = [
        world.credit.ApproveFinancing(
            credit_pb2.ApproveFinancingRequest(
                request_id=rid(),
                application_id=app.application_id,
                credit_line_id=line.credit_line_id,
            ),
            metadata=as_bank(bank),
            timeout=DEADLINE_S,
        )
        for bank, line in zip(banks, lines, strict=True)
    ]
    results = await asyncio.gather(*approvals, return_exceptions=True)
    winners = [r for r in results if isinstance(r, credit_pb2.FinancingApplication)]
    losers = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(winners) == 1 and len(losers) == 2
    assert {(e.code(), error_reason_of(e)) for e in losers} == {
        (grpc.StatusCode.FAILED_PRECONDITION, "ApplicationNotPending")
    }
    assert winners[0].status == "APPROVED" and winners[0].bank_id in banks


async def test_a_bank_that_lost_does_not_follow_the_winners_loan(world: CreditWorld) -> None:
    winner, loser, _, _, app = await _won_city_wide(world)
    await world.draw(winner, app.application_id, 120_000)
    request = credit_pb2.GetFinancingApplicationRequest(application_id=app.application_id)
    lender_view = await world.credit.GetFinancingApplication(
        request, metadata=as_bank(winner), timeout=DEADLINE_S
    )
    assert (lender_view.status, lender_view.outstanding_fen) == ("DISBURSED", 120_000)
    seen = await world.credit.GetFinancingApplication(
        request, metadata=as_bank(loser), timeout=DEADLINE_S
    )
    # What FinancingApproved told every addressed bank, and nothing after it.
    assert (seen.status, seen.bank_id, seen.approved_fen) == ("APPROVED", winner, 300_000)
    assert (seen.disbursed_fen, seen.repaid_fen, seen.outstanding_fen) == (0, 0, 0)
    # The approval's date is part of what every addressed bank was told.
    assert seen.approved_on == lender_view.approved_on == today().isoformat()
    # Nor the loan's term.
    assert lender_view.maturity_date and (seen.first_drawn_on, seen.maturity_date) == ("", "")

    async def listed(bank: str, status: str) -> list[str]:
        page = await world.credit.ListFinancingApplications(
            credit_pb2.ListFinancingApplicationsRequest(status=status),
            metadata=as_bank(bank),
            timeout=DEADLINE_S,
        )
        return [a.application_id for a in page.applications]

    assert app.application_id not in await listed(loser, "DISBURSED")
    assert app.application_id in await listed(loser, "APPROVED")


async def test_rejected_only_when_every_bank_declines_and_withdraw(world: CreditWorld) -> None:
    bank = await world.member()
    ent = await world.enterprise()
    app = await world.credit.ApplyForFinancing(
        apply_request(bank, 10_000, term_months=3, purpose="inventory"),
        metadata=as_enterprise(ent),
    )
    stranger = await world.enterprise()
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await world.credit.GetFinancingApplication(
            credit_pb2.GetFinancingApplicationRequest(application_id=app.application_id),
            metadata=as_enterprise(stranger),
        )
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    rejected = await world.credit.RejectFinancing(
        credit_pb2.RejectFinancingRequest(
            request_id=rid(), application_id=app.application_id, reason="thin file"
        ),
        metadata=as_bank(bank),
    )
    assert rejected.status == "REJECTED" and list(rejected.declined_bank_ids) == [bank]
    with pytest.raises(grpc.aio.AioRpcError) as late:
        await world.credit.WithdrawFinancing(
            credit_pb2.WithdrawFinancingRequest(
                request_id=rid(), application_id=app.application_id
            ),
            metadata=as_enterprise(ent),
        )
    assert late.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_bank_declines_once_and_never_sees_the_others_declines(
    world: CreditWorld,
) -> None:
    banks = [await world.member(city=CITY) for _ in range(2)]
    ent = await world.enterprise(city=CITY)
    app = await _apply_city_wide(world, ent, set(banks))
    decliner, other = banks

    async def reject(request_id: str) -> credit_pb2.FinancingApplication:
        reply: credit_pb2.FinancingApplication = await world.credit.RejectFinancing(
            credit_pb2.RejectFinancingRequest(
                request_id=request_id, application_id=app.application_id, reason="no"
            ),
            metadata=as_bank(decliner),
        )
        return reply

    first_id = rid()
    declined = await reject(first_id)
    assert (declined.status, declined.version) == ("SUBMITTED", 2)
    assert await reject(first_id) == declined  # a retry answers the same
    with pytest.raises(grpc.aio.AioRpcError) as again:
        await reject(rid())
    assert again.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert error_reason_of(again.value) == "AlreadyDeclined"

    async def version_seen_by(metadata: Metadata) -> int:
        read = await world.credit.GetFinancingApplication(
            credit_pb2.GetFinancingApplicationRequest(application_id=app.application_id),
            metadata=metadata,
        )
        return int(read.version)

    assert await version_seen_by(as_bank(other)) == 1  # the decline is not its to count
    assert await version_seen_by(as_enterprise(ent)) == 2
    assert await committed_versions(world, {app.application_id}) == {
        (app.application_id, 1),
        (app.application_id, 2),
    }


async def test_guarantee_backed_drawdown_needs_both_limits(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    guarantor = await world.member(institution_type="GUARANTEE")
    line = await world.line(bank, ent, 1_000_000, guarantor_id=guarantor, cover_ratio_bp=8_000)
    app = await world.approved_application(bank, ent, line.credit_line_id, 1_000_000)
    capacity = await world.credit.SetGuarantorCapacity(
        credit_pb2.SetGuarantorCapacityRequest(
            request_id=rid(), guarantor_id=guarantor, capacity_fen=400_000
        ),
        metadata=as_operator(),
    )
    assert capacity.capacity_fen == 400_000
    first = await world.draw(bank, app.application_id, 500_000)  # takes 400,000 of cover
    assert first.guarantee_fen == 400_000
    with pytest.raises(grpc.aio.AioRpcError) as short:
        await world.draw(bank, app.application_id, 1_000)
    assert error_reason_of(short.value) == "GuarantorCapacityExceeded"
    # Neither limit was consumed by the refused drawdown.
    assert (await world.get_line(bank, line.credit_line_id)).utilized_fen == 500_000
    repaid = await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(
            request_id=rid(), application_id=app.application_id, amount_fen=250_000
        ),
        metadata=as_bank(bank),
    )
    # Revolving: repayment restores available credit and gives cover back.
    assert repaid.credit_line.available_fen == 750_000 and repaid.guarantee_fen == 200_000
    again = await world.draw(bank, app.application_id, 250_000)
    assert again.guarantee_fen == 200_000


async def test_each_capacity_setting_commits_one_event_that_reaches_kafka(
    world: CreditWorld,
) -> None:
    guarantor = await world.member(institution_type="GUARANTEE", city="320500")
    request = credit_pb2.SetGuarantorCapacityRequest(
        request_id=rid(), guarantor_id=guarantor, capacity_fen=400_000
    )
    for _ in range(2):  # a retry replays the answer and writes no second event
        await world.credit.SetGuarantorCapacity(request, metadata=as_operator())
    lowered = credit_pb2.SetGuarantorCapacityRequest(
        request_id=rid(), guarantor_id=guarantor, capacity_fen=150_000
    )
    await world.credit.SetGuarantorCapacity(lowered, metadata=as_operator())
    assert await committed_versions(world, {guarantor}) == {(guarantor, 1), (guarantor, 2)}
    seen = await events_on_kafka(world, {guarantor}, expected=2)
    assert sorted(version for _, version, _ in seen) == [1, 2]
    last = await _last_capacity_event(world, guarantor)
    assert (last.previous_capacity_fen, last.capacity_fen) == (400_000, 150_000)
    assert (last.guarantor_city, last.guarantor_type) == ("320500", "GUARANTEE")


async def test_concurrent_first_settings_of_a_guarantor_get_versions_one_and_two(
    world: CreditWorld,
) -> None:
    guarantor = await world.member(institution_type="GUARANTEE")
    await asyncio.gather(
        *(
            world.credit.SetGuarantorCapacity(
                credit_pb2.SetGuarantorCapacityRequest(
                    request_id=rid(), guarantor_id=guarantor, capacity_fen=capacity_fen
                ),
                metadata=as_operator(),
            )
            for capacity_fen in (100_000, 200_000)
        )
    )
    assert await committed_versions(world, {guarantor}) == {(guarantor, 1), (guarantor, 2)}
    last = await _last_capacity_event(world, guarantor)
    assert last.previous_capacity_fen in (100_000, 200_000)
    assert last.capacity_fen != last.previous_capacity_fen


async def _last_capacity_event(
    world: CreditWorld, guarantor_id: str
) -> credit_events_pb2.GuarantorCapacitySet:
    conn = await asyncpg.connect(world.services["credit"].env["G60_CREDIT_PG_DSN"])
    try:
        raw = await conn.fetchval(
            """SELECT envelope FROM outbox WHERE aggregate_type = 'GuarantorCapacity'
                   AND aggregate_id = $1 ORDER BY aggregate_version DESC LIMIT 1""",
            guarantor_id,
        )
    finally:
        await conn.close()
    event = credit_events_pb2.GuarantorCapacitySet()
    assert decode_envelope(raw).payload.Unpack(event)
    return event


async def test_drawdown_by_a_bank_that_did_not_approve_is_not_found(world: CreditWorld) -> None:
    bank, other, ent = await world.member(), await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    app = await world.approved_application(bank, ent, line.credit_line_id, 100_000)
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await world.draw(other, app.application_id, 1_000)
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as over:
        await world.draw(bank, app.application_id, 100_001)
    assert error_reason_of(over.value) == "ApprovedAmountExceeded"


async def test_list_applications_for_the_enterprise_and_the_addressed_bank(
    world: CreditWorld,
) -> None:
    bank, other, ent = await world.member(), await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    approved = await world.approved_application(bank, ent, line.credit_line_id, 1_000)
    mine = await world.credit.ListFinancingApplications(
        credit_pb2.ListFinancingApplicationsRequest(), metadata=as_enterprise(ent)
    )
    assert [a.application_id for a in mine.applications] == [approved.application_id]
    for caller, expected in ((bank, [approved.application_id]), (other, [])):
        page = await world.credit.ListFinancingApplications(
            credit_pb2.ListFinancingApplicationsRequest(status="APPROVED", page_size=500),
            metadata=as_bank(caller),
        )
        ids = [a.application_id for a in page.applications]
        assert (approved.application_id in ids) == bool(expected)


async def test_close_financing_once_nothing_is_outstanding(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    line = await world.line(bank, ent)
    app = await world.approved_application(bank, ent, line.credit_line_id, 50_000)
    await world.draw(bank, app.application_id, 20_000)

    def close() -> credit_pb2.CloseFinancingRequest:
        return credit_pb2.CloseFinancingRequest(request_id=rid(), application_id=app.application_id)

    with pytest.raises(grpc.aio.AioRpcError) as owed:
        await world.credit.CloseFinancing(close(), metadata=as_bank(bank))
    assert error_reason_of(owed.value) == "ApplicationNotDrawable"
    await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(
            request_id=rid(), application_id=app.application_id, amount_fen=20_000
        ),
        metadata=as_bank(bank),
    )
    closed = await world.credit.CloseFinancing(close(), metadata=as_bank(bank))
    assert (closed.status, closed.version) == ("CLOSED", 3)
    with pytest.raises(grpc.aio.AioRpcError) as done:
        await world.draw(bank, app.application_id, 1)
    assert error_reason_of(done.value) == "ApplicationNotDrawable"


async def test_movements_reconcile_with_the_application_for_lender_and_applicant_only(
    world: CreditWorld,
) -> None:
    winner, loser, ent, line, app = await _won_city_wide(world)
    # Concurrent tranches: their order is the line's, whatever order they arrive in.
    await asyncio.gather(*(world.draw(winner, app.application_id, 10_000 * n) for n in (1, 2, 3)))
    await world.credit.RecordRepayment(
        credit_pb2.MoveFundsRequest(
            request_id=rid(), application_id=app.application_id, amount_fen=25_000
        ),
        metadata=as_bank(winner),
        timeout=DEADLINE_S,
    )
    await world.draw(winner, app.application_id, 40_000)

    async def movements(
        who: Metadata, token: str = "", size: int = 0
    ) -> tuple[list[credit_pb2.FundsMovement], str]:
        page = await world.credit.ListFundsMovements(
            credit_pb2.ListFundsMovementsRequest(
                application_id=app.application_id.upper(), page_size=size, page_token=token
            ),
            metadata=who,
            timeout=DEADLINE_S,
        )
        return list(page.movements), page.next_page_token

    first, token = await movements(as_enterprise(ent), size=3)
    rest, last_token = await movements(as_enterprise(ent), token, size=3)
    assert len(first) == 3 and token and len(rest) == 2 and not last_token
    everything = first + rest
    assert (await movements(as_bank(winner)))[0] == everything
    assert [m.kind for m in everything].count("REPAYMENT") == 1
    assert sorted(m.amount_fen for m in everything[:3]) == [10_000, 20_000, 30_000]
    assert everything[0].outstanding_after_fen == everything[0].amount_fen
    for before, after in itertools.pairwise(everything):
        sign = -1 if after.kind == "REPAYMENT" else 1
        assert after.outstanding_after_fen == before.outstanding_after_fen + sign * after.amount_fen
    final = await world.credit.GetFinancingApplication(
        credit_pb2.GetFinancingApplicationRequest(application_id=app.application_id),
        metadata=as_enterprise(ent),
        timeout=DEADLINE_S,
    )
    last = everything[-1]
    assert (
        (last.disbursed_after_fen, last.repaid_after_fen, last.outstanding_after_fen)
        == (
            final.disbursed_fen,
            final.repaid_fen,
            final.outstanding_fen,
        )
        == (100_000, 25_000, 75_000)
    )
    assert {m.credit_line_id for m in everything} == {line.credit_line_id}

    # The loser reads the application as of its approval: nothing drawn, no movements.
    assert await movements(as_bank(loser)) == ([], "")
    outsider = await world.member()
    for who in (as_bank(outsider), as_enterprise(await world.enterprise())):
        with pytest.raises(grpc.aio.AioRpcError) as hidden:
            await movements(who)
        assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    with pytest.raises(grpc.aio.AioRpcError) as forged:
        await movements(as_enterprise(ent), token="not-a-token")
    assert forged.value.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_each_reader_follows_the_history_it_may_read(world: CreditWorld) -> None:
    lender, decliner = await world.member(city=CITY), await world.member(city=CITY)
    ent = await world.enterprise(city=CITY)
    line = await world.line(lender, ent)
    app = await _apply_city_wide(world, ent, {lender, decliner})
    await world.credit.RejectFinancing(
        credit_pb2.RejectFinancingRequest(
            request_id="no-thanks", application_id=app.application_id, reason="sector"
        ),
        metadata=as_bank(decliner),
        timeout=DEADLINE_S,
    )
    approve = credit_pb2.ApproveFinancingRequest(
        request_id="yes-please",
        application_id=app.application_id,
        credit_line_id=line.credit_line_id,
    )
    for _ in range(2):  # a retry is the same change, not a second one
        await world.credit.ApproveFinancing(approve, metadata=as_bank(lender), timeout=DEADLINE_S)
    await world.draw(lender, app.application_id, 50_000, request_id="tranche-1")

    async def history(who: Metadata) -> list[tuple[str, str, str, int]]:
        page = await world.credit.ListApplicationHistory(
            credit_pb2.ListApplicationHistoryRequest(application_id=app.application_id),
            metadata=who,
            timeout=DEADLINE_S,
        )
        assert not page.next_page_token
        return [
            (e.action, e.request_id, e.application.status, e.application.version)
            for e in page.entries
        ]

    applicant = await history(as_enterprise(ent))
    assert applicant[0][1], "the applicant's own request id"
    assert applicant == [
        ("APPLY", applicant[0][1], "SUBMITTED", 1),
        ("REJECT", "", "SUBMITTED", 2),
        ("APPROVE", "", "APPROVED", 3),
        ("DRAWDOWN", "", "DISBURSED", 3),
    ]
    assert await history(as_bank(lender)) == [
        ("APPLY", "", "SUBMITTED", 1),
        ("APPROVE", "yes-please", "APPROVED", 2),
        ("DRAWDOWN", "tranche-1", "DISBURSED", 2),
    ]
    assert await history(as_bank(decliner)) == [
        ("APPLY", "", "SUBMITTED", 1),
        ("REJECT", "no-thanks", "SUBMITTED", 2),
        ("APPROVE", "", "APPROVED", 3),
    ]
    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await history(as_bank(await world.member()))
    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_bank_s_work_queue_holds_what_awaits_its_decision(world: CreditWorld) -> None:
    bank_a, bank_b = await world.member(city=CITY), await world.member(city=CITY)
    ent = await world.enterprise(city=CITY)
    line_b = await world.line(bank_b, ent)
    declined_by_a, approved_by_b, still_open = [
        (await _apply_city_wide(world, ent, {bank_a, bank_b})).application_id for _ in range(3)
    ]
    await world.credit.RejectFinancing(
        credit_pb2.RejectFinancingRequest(request_id=rid(), application_id=declined_by_a),
        metadata=as_bank(bank_a),
        timeout=DEADLINE_S,
    )
    await world.credit.ApproveFinancing(
        credit_pb2.ApproveFinancingRequest(
            request_id=rid(), application_id=approved_by_b, credit_line_id=line_b.credit_line_id
        ),
        metadata=as_bank(bank_b),
        timeout=DEADLINE_S,
    )

    async def queue(bank: str) -> set[str]:
        found, token = set(), ""
        while True:
            page = await world.credit.ListFinancingApplications(
                credit_pb2.ListFinancingApplicationsRequest(
                    awaiting_decision=True, page_size=2, page_token=token
                ),
                metadata=as_bank(bank),
                timeout=DEADLINE_S,
            )
            assert {a.status for a in page.applications} <= {"SUBMITTED"}
            found |= {a.application_id for a in page.applications}
            token = page.next_page_token
            if not token:
                return found & {declined_by_a, approved_by_b, still_open}

    assert await queue(bank_a) == {still_open}
    assert await queue(bank_b) == {declined_by_a, still_open}
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await world.credit.ListFinancingApplications(
            credit_pb2.ListFinancingApplicationsRequest(awaiting_decision=True),
            metadata=as_enterprise(ent),
            timeout=DEADLINE_S,
        )
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "awaiting_decision" in field_violations_of(refused.value)


async def test_lists_come_oldest_first(world: CreditWorld) -> None:
    bank, ent = await world.member(), await world.enterprise()
    applied = [
        (
            await world.credit.ApplyForFinancing(
                apply_request(bank, 10_000 + n), metadata=as_enterprise(ent), timeout=DEADLINE_S
            )
        ).application_id
        for n in range(5)
    ]
    # The SME's applications, and the bank's work queue.
    for who, awaiting_decision in ((as_enterprise(ent), False), (as_bank(bank), True)):
        page = await world.credit.ListFinancingApplications(
            credit_pb2.ListFinancingApplicationsRequest(awaiting_decision=awaiting_decision),
            metadata=who,
            timeout=DEADLINE_S,
        )
        listed = [a for a in page.applications if a.application_id in applied]
        assert [a.application_id for a in listed] == applied
        assert [a.submitted_at for a in listed] == sorted(a.submitted_at for a in listed)
