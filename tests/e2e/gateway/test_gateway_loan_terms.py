"""Loan terms and overdue loans through the gateway: the term appears once the first
tranche is drawn; once the credit service's sweeper finds principal outstanding past
maturity, the lender and the line's guarantee company get a signed LoanOverdue webhook,
and `?overdue=true` lists the loan for the lender, the SME and the guarantor only."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from g60_credit.domain.calendar import add_months

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.world import (
    HEFEI,
    World,
    get_ok,
    new_application,
    new_guarantor,
    new_line,
    new_webhook,
    ok,
    post,
    wait_for,
)

pytestmark = pytest.mark.e2e
LENDER_HOOK = "/bank-a/flaky"
GUARANTOR_HOOK = "/guarantor-of-late-loan"


def _overdue(client: httpx.Client, key: str) -> set[str]:
    page = get_ok(client, "/v1/applications?overdue=true&page_size=200", key)
    return {a["application_id"] for a in page["applications"]}


async def _matured(credit_dsn: str, application_id: str, maturity: date) -> None:
    """Moves the loan's term back (the services' clock stays today)."""
    conn = await asyncpg.connect(credit_dsn)
    try:
        await conn.execute(
            "UPDATE financing_applications SET first_drawn_on = $2, maturity_date = $3 "
            "WHERE application_id = $1",
            application_id,
            maturity - timedelta(days=365),
            maturity,
        )
    finally:
        await conn.close()


def _webhooks(
    receiver: Receiver, application_id: str, path: str = LENDER_HOOK, kind: str = "LoanOverdue"
) -> list[dict[str, Any]]:
    return [
        r.body
        for r in receiver.accepted(path)
        if r.event_type == kind and r.body["data"]["application_id"] == application_id
    ]


def test_a_late_loan_is_announced_to_its_lender_and_listed_for_the_parties(
    world: World, receiver: Receiver, gateway_platform: RunningPlatform
) -> None:
    bank, sme = world.bank_a, world.sme_a
    with world.client() as client:
        # Its own guarantee company: the world's guar_a backs exactly one loan elsewhere.
        guarantor = new_guarantor(client, world.operator_key, HEFEI)
        new_webhook(client, guarantor, receiver, GUARANTOR_HOOK)
        line = new_line(client, bank, sme, 20_000_000, guarantor=guarantor)
        app_id = new_application(client, sme, bank, 2_000_000)
        ok(
            post(client, f"/v1/applications/{app_id}/approve", bank.key, {"credit_line_id": line}),
            200,
        )
        approved = get_ok(client, f"/v1/applications/{app_id}", sme.key)
        assert approved["maturity_date"] == ""
        ok(
            post(
                client,
                f"/v1/applications/{app_id}/disbursements",
                bank.key,
                {"amount_fen": 800_000},
            )
        )
        drawn = get_ok(client, f"/v1/applications/{app_id}", sme.key)
        first = date.fromisoformat(drawn["first_drawn_on"])
        assert drawn["maturity_date"] == add_months(first, 12).isoformat()
        # Approved and drawn within seconds: the same Shanghai business day, or the next
        # one when the two fall either side of midnight in Shanghai (16:00 UTC).
        assert approved["approved_on"] == drawn["approved_on"]
        approved_on = date.fromisoformat(drawn["approved_on"])
        assert first - approved_on in (timedelta(0), timedelta(days=1))
        assert app_id not in _overdue(client, bank.key)

        maturity = first - timedelta(days=2)
        credit_dsn = gateway_platform.platform.env["G60_CREDIT_PG_DSN"]
        asyncio.run(_matured(credit_dsn, app_id, maturity))
        wait_for(lambda: len(_webhooks(receiver, app_id)) == 1, timeout_s=45.0)
        body = _webhooks(receiver, app_id)[0]
        assert body["data"]["outstanding_fen"] == 800_000
        assert body["data"]["overdue_since"] == (maturity + timedelta(days=1)).isoformat()
        assert body["data"]["parties"]["bank_id"] == bank.id
        assert (body["data"]["guarantor_id"], body["data"]["guarantee_fen"]) == (
            guarantor.id,
            400_000,
        )

        assert app_id in _overdue(client, bank.key)
        assert app_id in _overdue(client, sme.key)
        assert app_id not in _overdue(client, world.bank_b.key)
        assert app_id not in _overdue(client, world.sme_b.key)
        assert app_id in _overdue(client, guarantor.key)
        assert app_id not in _overdue(client, world.guar_a.key)
        seen = get_ok(client, f"/v1/applications/{app_id}", bank.key)
        assert seen["overdue_since"] == body["data"]["overdue_since"]
        history = get_ok(client, f"/v1/applications/{app_id}/history", sme.key)["entries"]
        assert (history[-1]["action"], history[-1]["actor"]) == (
            "OVERDUE",
            "system:overdue-sweeper",
        )

        ok(post(client, f"/v1/applications/{app_id}/repayments", bank.key, {"amount_fen": 800_000}))
        assert app_id not in _overdue(client, bank.key)
        # Past maturity, no new tranche: a 409 whose code names the rule.
        refused = post(
            client, f"/v1/applications/{app_id}/disbursements", bank.key, {"amount_fen": 1}
        )
        assert refused.status_code == 409
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "LoanMatured"
    _the_guarantor_heard_what_the_lender_did(receiver, app_id)


def _the_guarantor_heard_what_the_lender_did(receiver: Receiver, app_id: str) -> None:
    """Its copies are the lender's, without the lender's correlation id; never the
    decisions before the loan."""
    for kind in ("FundsDisbursed", "LoanOverdue", "LoanRepaid"):
        wait_for(lambda k=kind: bool(_webhooks(receiver, app_id, GUARANTOR_HOOK, k)), 45.0)  # type: ignore[misc]
        wait_for(lambda k=kind: bool(_webhooks(receiver, app_id, LENDER_HOOK, k)), 45.0)  # type: ignore[misc]
        (lender_copy,) = _webhooks(receiver, app_id, LENDER_HOOK, kind)
        (guarantor_copy,) = _webhooks(receiver, app_id, GUARANTOR_HOOK, kind)
        assert guarantor_copy == {**lender_copy, "correlation_id": ""}, kind
    kinds = {r.event_type for r in receiver.accepted(GUARANTOR_HOOK)}
    assert kinds <= {"FundsDisbursed", "LoanOverdue", "LoanRepaid"}
