"""Due-soon reminders (到期提醒) through the gateway: once the credit service's sweeper
finds a loan still owing within its notice period, the lender and the line's guarantee
company get one signed LoanDueSoon webhook (the guarantor's copy without the lender's
correlation id), and the SME reads DUE_SOON in the loan's history."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.test_gateway_loan_terms import LENDER_HOOK, _matured, _webhooks
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
GUARANTOR_HOOK = "/guarantor-of-a-loan-due-soon"
SME_HOOK = "/sme-a"  # sme_a's webhook in the world
DRAWN_FEN = 800_000  # half guaranteed


def test_a_loan_falling_due_is_announced_once_to_its_lender_and_guarantor(
    world: World, receiver: Receiver, gateway_platform: RunningPlatform
) -> None:
    bank, sme = world.bank_a, world.sme_a
    with world.client() as client:
        guarantor = new_guarantor(client, world.operator_key, HEFEI)
        new_webhook(client, guarantor, receiver, GUARANTOR_HOOK)
        line = new_line(client, bank, sme, 20_000_000, guarantor=guarantor)
        app_id = new_application(client, sme, bank, 2_000_000)
        ok(
            post(client, f"/v1/applications/{app_id}/approve", bank.key, {"credit_line_id": line}),
            200,
        )
        path = f"/v1/applications/{app_id}/disbursements"
        ok(post(client, path, bank.key, {"amount_fen": DRAWN_FEN}))
        drawn = get_ok(client, f"/v1/applications/{app_id}", sme.key)
        # Three days from the first drawdown's date: inside the default 7-day notice
        # whichever side of Shanghai midnight the sweeper runs.
        maturity = date.fromisoformat(drawn["first_drawn_on"]) + timedelta(days=3)
        credit_dsn = gateway_platform.platform.env["G60_CREDIT_PG_DSN"]
        asyncio.run(_matured(credit_dsn, app_id, maturity))

        def lender_copies() -> list[dict[str, Any]]:
            return _webhooks(receiver, app_id, LENDER_HOOK, "LoanDueSoon")

        wait_for(lambda: len(lender_copies()) == 1, timeout_s=45.0)
        body = lender_copies()[0]
        data = body["data"]
        assert (body["aggregate_type"], body["aggregate_version"]) == ("FinancingApplication", 3)
        assert (data["maturity_date"], data["outstanding_fen"]) == (
            maturity.isoformat(),
            DRAWN_FEN,
        )
        assert data["days_left"] in (2, 3)
        assert data["parties"]["bank_id"] == bank.id
        assert (data["guarantor_id"], data["guarantee_fen"]) == (guarantor.id, DRAWN_FEN // 2)
        history = get_ok(client, f"/v1/applications/{app_id}/history", sme.key)["entries"]
        assert (history[-1]["action"], history[-1]["actor"]) == (
            "DUE_SOON",
            "system:due-soon-sweeper",
        )

    def guarantor_copies() -> list[dict[str, Any]]:
        return _webhooks(receiver, app_id, GUARANTOR_HOOK, "LoanDueSoon")

    wait_for(lambda: len(guarantor_copies()) == 1, timeout_s=45.0)
    assert guarantor_copies()[0] == {**body, "correlation_id": ""}

    def borrower_copies() -> list[dict[str, Any]]:
        return _webhooks(receiver, app_id, SME_HOOK, "LoanDueSoon")

    # The borrower, who must repay by the date: its copy leaves out the bank's city and
    # type (no SME read shows them).
    wait_for(lambda: len(borrower_copies()) == 1, timeout_s=45.0)
    parties = {**data["parties"], "bank_city": "", "bank_type": ""}
    expected = {**body, "correlation_id": "", "data": {**data, "parties": parties}}
    assert borrower_copies()[0] == expected
    assert len(lender_copies()) == 1  # announced once, whatever more sweeps ran
