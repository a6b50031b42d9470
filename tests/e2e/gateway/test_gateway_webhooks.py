"""Webhooks end to end: credit events flow from Kafka to a real receiver on
127.0.0.1 that checks every signature and fails first attempts on purpose; every
event arrives, retries carry the same event id, and redelivery repeats it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from g60.events.v1 import credit_events_pb2
from g60common.events import decode_envelope
from g60common.kafka import TOPIC_CREDIT_EVENTS

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Received, Receiver
from tests.e2e.gateway.world import World, new_application, new_line, ok, post, wait_for

pytestmark = pytest.mark.e2e
FLAKY = "/bank-a/flaky"


def _wait_for(check: Callable[[], bool]) -> None:
    wait_for(check, timeout_s=45.0)


def _run_lifecycle(world: World, client: httpx.Client) -> dict[str, str]:
    """Apply (city-wide), approve, disburse, repay; apply and withdraw. Returns
    application id -> the flow it went through."""
    bank, sme = world.bank_a, world.sme_a
    line = new_line(client, bank, sme, 50_000_000)
    funded = new_application(client, sme, None, 2_000_000)  # matchmaking in Hefei
    ok(post(client, f"/v1/applications/{funded}/approve", bank.key, {"credit_line_id": line}), 200)
    ok(
        post(
            client, f"/v1/applications/{funded}/disbursements", bank.key, {"amount_fen": "1500000"}
        )
    )
    ok(post(client, f"/v1/applications/{funded}/repayments", bank.key, {"amount_fen": 500_000}))
    withdrawn = new_application(client, sme, bank, 3_000_000)
    ok(
        post(
            client,
            f"/v1/applications/{withdrawn}/withdraw",
            sme.key,
            {"reason": "no longer needed"},
        ),
        200,
    )
    return {funded: "funded", withdrawn: "withdrawn"}


EXPECTED = {
    "funded": {"FinancingApplied", "FinancingApproved", "FundsDisbursed", "LoanRepaid"},
    "withdrawn": {"FinancingApplied", "FinancingWithdrawn"},
}


def _types_by_application(received: list[Received]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for r in received:
        found.setdefault(r.body["data"].get("application_id", ""), set()).add(r.event_type)
    return found


def test_every_event_arrives_signed_and_retried(world: World, receiver: Receiver) -> None:
    with world.client() as client:
        flows = _run_lifecycle(world, client)

    def all_arrived() -> bool:
        by_app = _types_by_application(receiver.accepted(FLAKY))
        return all(EXPECTED[flow] <= by_app.get(app, set()) for app, flow in flows.items())

    _wait_for(all_arrived)
    mine = [r for r in receiver.all() if r.path == FLAKY]
    assert all(r.signature_ok for r in mine)
    for event_id in {r.event_id for r in mine}:
        attempts = [r for r in mine if r.event_id == event_id]
        # The receiver failed the first attempt; the retry is the same event.
        assert [a.answered for a in attempts][:2] == [500, 200], attempts
        assert len({a.body["event_id"] for a in attempts}) == 1
        assert attempts[0].body == attempts[1].body
    # Other modules' loans of bank A reach this hook too; this is the lifecycle's own.
    disbursed = next(
        r
        for r in mine
        if r.event_type == "FundsDisbursed" and r.body["data"]["application_id"] in flows
    )
    assert disbursed.body["data"]["amount_fen"] == 1_500_000
    assert disbursed.body["correlation_id"]


async def _credit_events(bootstrap: str) -> list[tuple[str, str, Any]]:
    """(event id, type, payload) of every credit event on the topic so far."""
    consumer = AIOKafkaConsumer(
        TOPIC_CREDIT_EVENTS,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[str, str, Any]] = []
    try:
        while batches := await consumer.getmany(timeout_ms=2000):
            for record in (r for batch in batches.values() for r in batch):
                envelope = decode_envelope(record.value)
                if hasattr(credit_events_pb2, envelope.event_type):
                    payload = getattr(credit_events_pb2, envelope.event_type)()
                    envelope.payload.Unpack(payload)
                    found.append((envelope.event_id, envelope.event_type, payload))
    finally:
        await consumer.stop()
    return found


_LOAN_EVENTS = (
    "FundsDisbursed",
    "LoanRepaid",
    "LoanDueSoon",
    "LoanExtended",
    "LoanOverdue",
    "LoanReclassified",
    "LoanCompensated",
)


def _expected_for(bank_id: str, events: list[tuple[str, str, Any]]) -> set[str]:
    """Written out independently of the gateway's routing code: new applications naming
    the bank, withdrawals of those, and money movements (compensations included),
    due-soon reminders, overdue marks and moves down the risk tiers of its loans."""
    addressed = {
        p.application_id
        for _, t, p in events
        if t == "FinancingApplied" and bank_id in p.target_bank_ids
    }
    return {
        event_id
        for event_id, t, p in events
        if (t == "FinancingApplied" and p.application_id in addressed)
        or (t == "FinancingWithdrawn" and p.application_id in addressed)
        or (t in _LOAN_EVENTS and p.parties.bank_id == bank_id)
    }


def test_every_relevant_event_on_the_topic_reached_the_bank(
    world: World, receiver: Receiver, gateway_platform: RunningPlatform
) -> None:
    events = asyncio.run(_credit_events(gateway_platform.stack.kafka_bootstrap))
    expected = _expected_for(world.bank_a.id, events)
    assert len(expected) >= 6
    _wait_for(lambda: expected <= {r.event_id for r in receiver.accepted(FLAKY)})


def test_other_banks_receive_nothing_of_bank_a(world: World, receiver: Receiver) -> None:
    bank_a_events = {r.event_id for r in receiver.all() if r.path == FLAKY}
    assert bank_a_events
    assert not bank_a_events & {r.event_id for r in receiver.all() if r.path == "/bank-b"}


def test_delivery_log_and_redelivery(world: World, receiver: Receiver) -> None:
    headers = {"X-API-Key": world.bank_a.key}
    with world.client() as client:
        log = client.get(f"/v1/webhooks/{world.hook_a}/deliveries?page_size=200", headers=headers)
        deliveries = log.json()["deliveries"]
        assert deliveries and all(d["status"] == "DELIVERED" for d in deliveries), deliveries
        assert all(d["attempts"] == 2 and d["last_http_status"] == 200 for d in deliveries)
        target = deliveries[0]
        before = len([r for r in receiver.all() if r.event_id == target["event_id"]])
        again = post(
            client,
            f"/v1/webhooks/{world.hook_a}/deliveries/{target['delivery_id']}/redeliver",
            world.bank_a.key,
            None,
        )
        assert again.status_code == 202, again.text
    _wait_for(lambda: len([r for r in receiver.all() if r.event_id == target["event_id"]]) > before)
    assert all(r.signature_ok for r in receiver.all() if r.event_id == target["event_id"])
