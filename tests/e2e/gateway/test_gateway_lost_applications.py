"""A bank addressed by a matchmaking application learns, by webhook and by every route,
no more than `GET /v1/applications/{id}` shows it. Once another bank wins, that is: the
application APPROVED, by which bank, on which line, for how much; never the winner's
line balances, tranches, repayments or closing. And no addressed bank learns which
other banks declined."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import pytest

from tests.e2e.gateway.receiver import Received, Receiver
from tests.e2e.gateway.world import (
    HEFEI,
    Party,
    World,
    get_ok,
    new_application,
    new_bank,
    new_line,
    new_webhook,
    ok,
    post,
    wait_for,
)

pytestmark = pytest.mark.e2e
LOSER_HOOK = "/bank-c"
WINNER_HOOK = "/bank-a/flaky"  # bank_a's webhook in the world
# A bank's correlation id is its own: it may name its internal systems or tickets.
WINNERS_CORRELATION_ID = "bank-a-loan-desk-ticket-4711"


@dataclass(frozen=True)
class Contest:
    loser: Party
    loser_line: str
    won: str  # matchmaking: bank_a approved, drew 1,500,000, repaid it all, closed
    open: str  # matchmaking: still SUBMITTED, declined by the loser only
    declined_then_won: str  # matchmaking: declined by the loser, then approved by bank_a
    seen_after_repayment: dict[str, Any]  # the loser's GET of `won` before the close


@pytest.fixture(scope="module")
def contest(world: World, receiver: Receiver) -> Contest:
    winner, sme = world.bank_a, world.sme_a
    with world.client() as client:
        loser = new_bank(client, world.operator_key, HEFEI)
        new_webhook(client, loser, receiver, LOSER_HOOK)
        # Granting a line makes the credit service know the new bank at once, so the
        # next matchmaking application addresses it.
        loser_line = new_line(client, loser, sme)
        winner_line = new_line(client, winner, sme, 50_000_000)
        won = new_application(client, sme, None, 2_000_000)
        open_ = new_application(client, sme, None, 700_000)
        declined_then_won = new_application(client, sme, None, 300_000)
        for app in (won, open_, declined_then_won):
            targets = get_ok(client, f"/v1/applications/{app}", sme.key)["target_bank_ids"]
            assert {winner.id, loser.id} <= set(targets)
        for app in (open_, declined_then_won):
            ok(post(client, f"/v1/applications/{app}/reject", loser.key, {"reason": "x"}), 200)
        approve = {"credit_line_id": winner_line}
        ok(post(client, f"/v1/applications/{declined_then_won}/approve", winner.key, approve), 200)
        headers = {
            "X-API-Key": winner.key,
            "Idempotency-Key": str(uuid.uuid4()),
            "x-correlation-id": WINNERS_CORRELATION_ID,
        }
        ok(client.post(f"/v1/applications/{won}/approve", json=approve, headers=headers), 200)
        ok(
            post(
                client,
                f"/v1/applications/{won}/disbursements",
                winner.key,
                {"amount_fen": 1_500_000},
            )
        )
        ok(
            post(
                client, f"/v1/applications/{won}/repayments", winner.key, {"amount_fen": 1_500_000}
            )
        )
        seen = get_ok(client, f"/v1/applications/{won}", loser.key)
        ok(post(client, f"/v1/applications/{won}/close", winner.key, {"reason": "done"}), 200)
    return Contest(loser, loser_line, won, open_, declined_then_won, seen)


def test_the_loser_reads_the_approval_and_nothing_after_it(world: World, contest: Contest) -> None:
    with world.client() as client:
        after_close = get_ok(client, f"/v1/applications/{contest.won}", contest.loser.key)
        winners = get_ok(client, f"/v1/applications/{contest.won}", world.bank_a.key)
    assert after_close["status"] == "APPROVED" and after_close["bank_id"] == world.bank_a.id
    assert (after_close["disbursed_fen"], after_close["outstanding_fen"]) == (0, 0)
    assert winners["status"] == "CLOSED"
    # The version counts the application's lifecycle events: the close would show.
    assert after_close == contest.seen_after_repayment


def test_the_loan_s_movements_are_the_lender_s_and_the_sme_s(
    world: World, contest: Contest
) -> None:
    path = f"/v1/applications/{contest.won}/movements"
    with world.client() as client:
        lender = get_ok(client, path, world.bank_a.key)
        sme = get_ok(client, f"{path}?page_size=1", world.sme_a.key)
        sme_rest = get_ok(client, f"{path}?page_token={sme['next_page_token']}", world.sme_a.key)
        loser = get_ok(client, path, contest.loser.key)
        stranger = client.get(path, headers={"X-API-Key": world.sme_b.key})
        forged = client.get(f"{path}?page_token=x", headers={"X-API-Key": world.sme_a.key})
    assert [
        (m["kind"], m["amount_fen"], m["outstanding_after_fen"]) for m in lender["movements"]
    ] == [
        ("DRAWDOWN", 1_500_000, 1_500_000),
        ("REPAYMENT", 1_500_000, 0),
    ]
    assert sme["movements"] + sme_rest["movements"] == lender["movements"]
    assert sme_rest["next_page_token"] == lender["next_page_token"] == ""
    assert loser == {"movements": [], "next_page_token": ""}
    assert stranger.status_code == 404, stranger.text
    assert forged.status_code == 422 and "page_token" in forged.text, forged.text
    assert forged.headers["content-type"].startswith("application/problem+json")


def test_each_party_follows_the_history_it_may_read(world: World, contest: Contest) -> None:
    def history(app: str, party: Party, page_size: int = 50) -> list[dict[str, Any]]:
        entries, token = [], ""
        with world.client() as client:
            while True:
                page = get_ok(
                    client,
                    f"/v1/applications/{app}/history?page_size={page_size}&page_token={token}",
                    party.key,
                )
                entries += page["entries"]
                token = page["next_page_token"]
                if not token:
                    return entries

    def actions(entries: list[dict[str, Any]]) -> list[tuple[str, int]]:
        return [(e["action"], e["application"]["version"]) for e in entries]

    sme, winner, loser = world.sme_a, world.bank_a, contest.loser
    won = history(contest.won, sme, page_size=2)
    assert actions(won) == [
        ("APPLY", 1),
        ("APPROVE", 2),
        ("DRAWDOWN", 2),
        ("REPAY", 2),
        ("CLOSE", 3),
    ]
    # 1,500,000 of 2,000,000 drawn and repaid: still drawable (DISBURSED) until closed.
    assert [(e["application"]["status"], e["application"]["outstanding_fen"]) for e in won][
        -3:
    ] == [("DISBURSED", 1_500_000), ("DISBURSED", 0), ("CLOSED", 0)]
    # The lender follows the same changes; each party sees its own request ids only.
    lender = history(contest.won, winner)
    assert [e["request_id"] != "" for e in won] == [True, False, False, False, False]
    assert [e["request_id"] != "" for e in lender] == [False, True, True, True, True]
    assert [{**e, "request_id": ""} for e in lender] == [
        {**e, "request_id": "", "application": {**e["application"], "target_bank_ids": [winner.id]}}
        for e in won
    ]
    seen_by_loser = history(contest.won, loser)
    assert actions(seen_by_loser) == [("APPLY", 1), ("APPROVE", 2)]
    assert seen_by_loser[-1]["application"] == contest.seen_after_repayment
    assert all(e["request_id"] == "" for e in seen_by_loser)

    declined = history(contest.declined_then_won, sme)
    assert actions(declined) == [("APPLY", 1), ("REJECT", 2), ("APPROVE", 3)]
    assert declined[1]["actor"] == f"bank:{loser.id}" and declined[1]["request_id"] == ""
    assert actions(history(contest.declined_then_won, winner)) == [("APPLY", 1), ("APPROVE", 2)]
    by_loser = history(contest.declined_then_won, loser)
    assert actions(by_loser) == [("APPLY", 1), ("REJECT", 2), ("APPROVE", 3)]
    assert by_loser[1]["request_id"] != ""  # its own decline


def test_a_bank_s_work_queue_leaves_out_what_it_decided(world: World, contest: Contest) -> None:
    path = "/v1/applications?awaiting_decision=true&page_size=200"
    with world.client() as client:
        winners = get_ok(client, path, world.bank_a.key)["applications"]
        losers = get_ok(client, path, contest.loser.key)["applications"]
        sme = client.get(path, headers={"X-API-Key": world.sme_a.key})
    mine = {contest.won, contest.open, contest.declined_then_won}
    assert {a["application_id"] for a in winners} & mine == {contest.open}
    assert {a["application_id"] for a in losers} & mine == set()
    assert sme.status_code == 422 and "awaiting_decision" in sme.text, sme.text


def test_refused_decisions_do_not_name_the_winners_loan_status(
    world: World, contest: Contest
) -> None:
    path = f"/v1/applications/{contest.won}"
    with world.client() as client:
        rejected = post(client, f"{path}/reject", contest.loser.key, {"reason": "late"})
        approve = {"credit_line_id": contest.loser_line}
        approved = post(client, f"{path}/approve", contest.loser.key, approve)
    for reply in (rejected, approved):
        assert reply.status_code == 409, reply.text
        detail = reply.json()["detail"]
        assert "APPROVED" in detail and "CLOSED" not in detail, detail


def test_no_bank_sees_which_other_banks_an_application_went_to(
    world: World, contest: Contest, receiver: Receiver
) -> None:
    """The SME sees every bank its application reached; a bank sees itself (and, once
    another bank won, the winner)."""
    with world.client() as client:
        for app in (contest.won, contest.open):
            for bank in (world.bank_a, contest.loser):
                seen = get_ok(client, f"/v1/applications/{app}", bank.key)
                assert seen["target_bank_ids"] == [bank.id] and seen["city_wide"], seen
            everyone = get_ok(client, f"/v1/applications/{app}", world.sme_a.key)
            assert {world.bank_a.id, contest.loser.id} <= set(everyone["target_bank_ids"])

    def both_applied() -> bool:  # one partition each: they arrive in no fixed order
        received = receiver.accepted(LOSER_HOOK)
        return all("FinancingApplied" in _of(received, a) for a in (contest.won, contest.open))

    wait_for(both_applied, 45.0)
    for app in (contest.won, contest.open):
        applied = _of(receiver.accepted(LOSER_HOOK), app)["FinancingApplied"].body["data"]
        assert applied["target_bank_ids"] == [contest.loser.id] and applied["city_wide"]


def test_no_bank_sees_which_other_banks_declined(world: World, contest: Contest) -> None:
    path = f"/v1/applications/{contest.open}"
    with world.client() as client:
        others = get_ok(client, path, world.bank_a.key)
        own = get_ok(client, path, contest.loser.key)
        listed = get_ok(client, "/v1/applications?status=SUBMITTED&page_size=200", world.bank_a.key)
        applicant = get_ok(client, path, world.sme_a.key)
    assert others["status"] == "SUBMITTED" and others["declined_bank_ids"] == []
    listed_open = [a for a in listed["applications"] if a["application_id"] == contest.open]
    assert [a["declined_bank_ids"] for a in listed_open] == [[]]
    assert own["declined_bank_ids"] == [contest.loser.id]
    assert applicant["declined_bank_ids"] == [contest.loser.id]  # the SME's own application


def test_a_bank_s_versions_leave_out_the_other_banks_declines(
    world: World, contest: Contest, receiver: Receiver
) -> None:
    """Each decline is a version of the application: counting them would tell a bank how
    many competitors turned the enterprise down. Reads and webhook copies agree."""
    with world.client() as client:
        versions = {
            who: get_ok(client, f"/v1/applications/{app}", party.key)["version"]
            for who, party, app in (
                ("open, other bank", world.bank_a, contest.open),
                ("open, decliner", contest.loser, contest.open),
                ("open, applicant", world.sme_a, contest.open),
                ("won, winner", world.bank_a, contest.declined_then_won),
                ("won, decliner", contest.loser, contest.declined_then_won),
                ("won, applicant", world.sme_a, contest.declined_then_won),
            )
        }
    assert versions == {
        "open, other bank": 1,
        "open, decliner": 2,
        "open, applicant": 2,
        "won, winner": 2,
        "won, decliner": 3,
        "won, applicant": 3,
    }
    app = contest.declined_then_won
    wait_for(lambda: "FinancingApproved" in _of(receiver.accepted(WINNER_HOOK), app), 45.0)
    wait_for(lambda: "FinancingApproved" in _of(receiver.accepted(LOSER_HOOK), app), 45.0)
    winners = _of(receiver.accepted(WINNER_HOOK), app)
    losers = _of(receiver.accepted(LOSER_HOOK), app)
    assert winners["FinancingApproved"].body["aggregate_version"] == 2
    assert losers["FinancingApproved"].body["aggregate_version"] == 3
    assert losers["FinancingRejected"].body["aggregate_version"] == 2


def _of(received: list[Received], application_id: str) -> dict[str, Received]:
    return {
        r.event_type: r for r in received if r.body["data"].get("application_id") == application_id
    }


def test_webhooks_tell_the_loser_no_more_than_its_read(
    world: World, contest: Contest, receiver: Receiver
) -> None:
    # Every delivery of an event is recorded in one transaction, for all banks at once:
    # once the winner has the last of them, whatever the loser was sent is on its way.
    last = {"FinancingApproved", "FundsDisbursed", "LoanRepaid", "FinancingClosed"}
    wait_for(lambda: last <= set(_of(receiver.accepted(WINNER_HOOK), contest.won)), 45.0)
    wait_for(lambda: "FinancingApproved" in _of(receiver.accepted(LOSER_HOOK), contest.won), 45.0)
    winners = _of(receiver.accepted(WINNER_HOOK), contest.won)
    losers = _of(receiver.accepted(LOSER_HOOK), contest.won)
    assert set(losers) == {"FinancingApplied", "FinancingApproved"}
    approval = losers["FinancingApproved"].body["data"]
    assert approval["parties"]["bank_id"] == world.bank_a.id
    assert approval["approved_fen"] == 2_000_000
    assert approval["approved_on"] == winners["FinancingApproved"].body["data"]["approved_on"] != ""
    # The winner's line: its limit, use and outstanding are the winner's book.
    assert approval["balances"] is None, approval
    assert winners["FinancingApproved"].body["data"]["balances"]["limit_fen"] == 50_000_000
    # The approving request's correlation id is the winner's, like its line.
    assert losers["FinancingApproved"].body["correlation_id"] == ""
    assert winners["FinancingApproved"].body["correlation_id"] == WINNERS_CORRELATION_ID
    assert all(r.signature_ok for r in receiver.all() if r.path == LOSER_HOOK)
