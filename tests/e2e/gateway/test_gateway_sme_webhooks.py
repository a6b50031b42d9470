"""Webhooks for SMEs end to end: an SME registers a webhook, banks decline, approve,
disburse, get repaid and close, and the SME's real receiver gets signed deliveries of
exactly its own applications (a decline only once final), each as the SME reads it on
`GET /v1/applications/{id}`. A second SME receives nothing of them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Received, Receiver
from tests.e2e.gateway.test_gateway_webhooks import _credit_events
from tests.e2e.gateway.world import (
    Party,
    World,
    get_ok,
    new_application,
    new_bank,
    new_line,
    new_sme,
    new_webhook,
    ok,
    post,
    wait_for,
)

pytestmark = pytest.mark.e2e
WUHU = "340200"  # a city no other module lends in: matchmaking reaches this module's banks
SME_HOOK, OTHER_SME_HOOK = "/sme-c", "/sme-d"
# The SME's events in the story: applied, approved, drawn, repaid and closed; applied
# and finally declined. The matchmaking application's first decline is not among them.
STORY_EVENTS = 7
SME_EVENTS = {
    "FinancingApplied",
    "FinancingWithdrawn",
    "FinancingApproved",
    "FinancingRejected",
    "FinancingClosed",
    "FundsDisbursed",
    "LoanRepaid",
    "LoanOverdue",
    "LoanCompensated",
}


@dataclass(frozen=True)
class Story:
    sme: Party
    other_sme: Party
    lender: Party
    decliner: Party
    hook: str
    funded: str  # matchmaking: declined by `decliner`, approved, drawn, repaid, closed
    declined: str  # addressed to `decliner` alone, which declined: final
    other: str  # the other SME's, addressed to `lender`
    sme_read_approved: dict[str, Any]  # the SME's GET of `funded` right after the approval
    lender_read_approved: dict[str, Any]


def _act(client: httpx.Client, app: str, verb: str, party: Party, body: Any) -> None:
    ok(post(client, f"/v1/applications/{app}/{verb}", party.key, body), 200)


@pytest.fixture(scope="module")
def story(world: World, receiver: Receiver) -> Story:
    op = world.operator_key
    with world.client() as client:
        lender, decliner = new_bank(client, op, WUHU), new_bank(client, op, WUHU)
        sme, other_sme = new_sme(client, op, WUHU), new_sme(client, op, WUHU)
        hook = new_webhook(client, sme, receiver, SME_HOOK)
        new_webhook(client, other_sme, receiver, OTHER_SME_HOOK)
        # Granting lines makes the credit service know both banks at once, so the
        # matchmaking application addresses both.
        line = new_line(client, lender, sme, 50_000_000)
        new_line(client, decliner, sme)
        funded = new_application(client, sme, None, 2_000_000)
        _act(client, funded, "reject", decliner, {"reason": "internal score 41"})  # not final
        _act(client, funded, "approve", lender, {"credit_line_id": line})
        sme_read = get_ok(client, f"/v1/applications/{funded}", sme.key)
        lender_read = get_ok(client, f"/v1/applications/{funded}", lender.key)
        for verb in ("disbursements", "repayments"):
            ok(
                post(
                    client,
                    f"/v1/applications/{funded}/{verb}",
                    lender.key,
                    {"amount_fen": 1_500_000},
                )
            )
        _act(client, funded, "close", lender, {"reason": "ticket LOAN-77"})
        declined = new_application(client, sme, decliner, 1_000_000)
        _act(client, declined, "reject", decliner, {"reason": "internal score 12"})
        other = new_application(client, other_sme, lender, 500_000)
    return Story(
        sme, other_sme, lender, decliner, hook, funded, declined, other, sme_read, lender_read
    )


def _expected_for(enterprise_id: str, events: list[tuple[str, str, Any]]) -> set[str]:
    """Written out independently of the gateway's routing code: the SME's applications'
    and loans' events, a decline only when it was the last one."""
    return {
        event_id
        for event_id, kind, payload in events
        if kind in SME_EVENTS
        and payload.parties.enterprise_id == enterprise_id
        and (kind != "FinancingRejected" or payload.final)
    }


def _by_type(received: list[Received], application_id: str) -> dict[str, Received]:
    return {r.event_type: r for r in received if r.body["data"]["application_id"] == application_id}


def _delivered(receiver: Receiver) -> set[str]:
    return {r.event_id for r in receiver.accepted(SME_HOOK)}


def _wait_for_the_story(receiver: Receiver) -> None:
    """Each test stands alone: the application and loan events travel on partitions of
    their own (keyed by application and by line), so wait for all of them."""
    wait_for(lambda: len(_delivered(receiver)) >= STORY_EVENTS, 45.0)


def test_the_sme_receives_exactly_its_own_events_signed(
    story: Story, world: World, receiver: Receiver, gateway_platform: RunningPlatform
) -> None:
    # Once they are delivered, the story's events are all on the topic to compare with.
    _wait_for_the_story(receiver)
    events = asyncio.run(_credit_events(gateway_platform.stack.kafka_bootstrap))
    expected = _expected_for(story.sme.id, events)
    assert len(expected) == STORY_EVENTS
    mine = [r for r in receiver.all() if r.path == SME_HOOK]
    assert {r.event_id for r in mine} == expected
    # The log holds every delivery the consumer made, sent or not: a decline that was
    # not final would be in it, before the approval that followed it.
    with world.client() as client:
        log = get_ok(client, f"/v1/webhooks/{story.hook}/deliveries?page_size=200", story.sme.key)
    assert {d["event_id"] for d in log["deliveries"]} == expected
    assert all(r.signature_ok and r.answered == 200 for r in mine)
    assert {r.body["data"]["application_id"] for r in mine} == {story.funded, story.declined}
    assert {r.body["data"]["parties"]["enterprise_id"] for r in mine} == {story.sme.id}
    assert sorted(_by_type(mine, story.funded)) == sorted(
        ["FinancingApplied", "FinancingApproved", "FundsDisbursed", "LoanRepaid", "FinancingClosed"]
    )


def test_each_copy_shows_what_the_sme_reads_and_no_more(story: Story, receiver: Receiver) -> None:
    _wait_for_the_story(receiver)
    funded = _by_type(receiver.accepted(SME_HOOK), story.funded)
    declined = _by_type(receiver.accepted(SME_HOOK), story.declined)
    approved = funded["FinancingApproved"].body
    # The version the SME reads counts the other bank's decline; the lender's does not.
    assert approved["aggregate_version"] == story.sme_read_approved["version"] == 3
    assert story.lender_read_approved["version"] == 2
    assert approved["data"]["balances"]["limit_fen"] == 50_000_000  # its own line
    applied = funded["FinancingApplied"].body
    assert {story.lender.id, story.decliner.id} <= set(applied["data"]["target_bank_ids"])
    assert applied["correlation_id"]  # its own request's
    for kind in ("FinancingApproved", "FundsDisbursed", "LoanRepaid", "FinancingClosed"):
        assert funded[kind].body["correlation_id"] == ""  # the lender's request, not its
    assert funded["FinancingClosed"].body["data"]["reason"] == ""
    rejected = declined["FinancingRejected"].body
    assert rejected["data"]["final"] is True and rejected["data"]["reason"] == ""
    for received in [*funded.values(), *declined.values()]:
        parties = received.body["data"]["parties"]
        assert (parties["bank_city"], parties["bank_type"]) == ("", "")


def test_the_last_versions_delivered_are_the_ones_the_sme_reads(
    story: Story, world: World, receiver: Receiver
) -> None:
    _wait_for_the_story(receiver)
    funded = _by_type(receiver.accepted(SME_HOOK), story.funded)
    declined = _by_type(receiver.accepted(SME_HOOK), story.declined)
    with world.client() as client:
        closed = get_ok(client, f"/v1/applications/{story.funded}", story.sme.key)
        rejected = get_ok(client, f"/v1/applications/{story.declined}", story.sme.key)
    assert closed["status"] == "CLOSED"
    assert funded["FinancingClosed"].body["aggregate_version"] == closed["version"]
    assert rejected["status"] == "REJECTED"
    assert declined["FinancingRejected"].body["aggregate_version"] == rejected["version"]


def test_another_sme_receives_nothing_of_it(story: Story, receiver: Receiver) -> None:
    wait_for(lambda: bool(receiver.accepted(OTHER_SME_HOOK)), 45.0)
    others = [r for r in receiver.all() if r.path == OTHER_SME_HOOK]
    assert {r.body["data"]["application_id"] for r in others} == {story.other}
    mine = {r.event_id for r in receiver.all() if r.path == SME_HOOK}
    assert mine and not mine & {r.event_id for r in others}


def test_the_sme_reads_its_delivery_log_and_asks_for_redelivery(
    story: Story, world: World, receiver: Receiver
) -> None:
    log_path = f"/v1/webhooks/{story.hook}/deliveries?page_size=200"
    with world.client() as client:

        def logged() -> list[dict[str, Any]]:
            return list(get_ok(client, log_path, story.sme.key)["deliveries"])

        # The receiver answers before the gateway records the attempt: poll the log.
        def all_delivered() -> bool:
            found = logged()
            return len(found) >= STORY_EVENTS and all(d["status"] == "DELIVERED" for d in found)

        wait_for(all_delivered, 45.0)
        deliveries = logged()
        assert {d["event_id"] for d in deliveries} == _delivered(receiver)
        target = deliveries[0]
        path = f"/v1/webhooks/{story.hook}/deliveries/{target['delivery_id']}/redeliver"
        ok(post(client, path, story.sme.key, None), 202)
        listed = get_ok(client, "/v1/webhooks", story.sme.key)["webhooks"]
        assert [h["webhook_id"] for h in listed] == [story.hook]
        # Another SME, and the lending bank, do not see the SME's webhook.
        for stranger in (story.other_sme, story.lender):
            reply = client.get(f"/v1/webhooks/{story.hook}", headers={"X-API-Key": stranger.key})
            assert reply.status_code == 404, reply.text
    wait_for(
        lambda: (
            len([r for r in receiver.accepted(SME_HOOK) if r.event_id == target["event_id"]]) == 2
        ),
        45.0,
    )
    same = [r for r in receiver.accepted(SME_HOOK) if r.event_id == target["event_id"]]
    assert same[0].body == same[1].body and all(r.signature_ok for r in same)
