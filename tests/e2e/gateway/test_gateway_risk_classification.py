"""Five-tier risk classification (贷款五级分类) through the gateway: once the credit
service's sweeper finds a loan 100 days past due, it is SUBSTANDARD with its days past
due on the lender's, the SME's and the guarantor's reads and `?risk_class=` lists; the
lender and the line's guarantee company get a signed LoanReclassified webhook; another
bank, SME or guarantee company sees nothing of it; an unknown class is a 422 naming
the field."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.test_gateway_loan_terms import _matured, _webhooks
from tests.e2e.gateway.world import (
    HEFEI,
    Party,
    World,
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
GUARANTOR_HOOK = "/guarantor-of-npl"
KIND = "LoanReclassified"


def _get(client: httpx.Client, path: str, key: str) -> httpx.Response:
    return client.get(path, headers={"X-API-Key": key})


def _listed(client: httpx.Client, party: Party, risk_class: str) -> set[str]:
    path = f"/v1/applications?risk_class={risk_class}&page_size=200"
    page = ok(_get(client, path, party.key), 200)
    return {a["application_id"] for a in page["applications"]}


def _drawn_loan(client: httpx.Client, world: World, guarantor: Party) -> tuple[str, date]:
    """bank_a's loan of 800,000 fen to sme_a on a line `guarantor` half-backs; the day
    it was drawn."""
    bank, sme = world.bank_a, world.sme_a
    line = new_line(client, bank, sme, 20_000_000, guarantor=guarantor)
    app_id = new_application(client, sme, bank, 2_000_000)
    ok(post(client, f"/v1/applications/{app_id}/approve", bank.key, {"credit_line_id": line}), 200)
    path = f"/v1/applications/{app_id}/disbursements"
    ok(post(client, path, bank.key, {"amount_fen": 800_000}))
    drawn = ok(_get(client, f"/v1/applications/{app_id}", sme.key), 200)
    assert (drawn["risk_class"], drawn["days_past_due"]) == ("NORMAL", 0)
    return app_id, date.fromisoformat(drawn["first_drawn_on"])


def test_a_loan_100_days_late_is_substandard_for_its_parties_only(
    world: World, receiver: Receiver, gateway_platform: RunningPlatform
) -> None:
    with world.client() as client:
        guarantor = new_guarantor(client, world.operator_key, HEFEI)
        new_webhook(client, guarantor, receiver, GUARANTOR_HOOK)
        app_id, drawn_on = _drawn_loan(client, world, guarantor)
        # 100 days past due as of the day it was drawn (the services' clock stays today).
        credit_dsn = gateway_platform.platform.env["G60_CREDIT_PG_DSN"]
        asyncio.run(_matured(credit_dsn, app_id, drawn_on - timedelta(days=100)))
        wait_for(lambda: len(_webhooks(receiver, app_id, kind=KIND)) == 1, timeout_s=45.0)
        data = _webhooks(receiver, app_id, kind=KIND)[0]["data"]
        assert (data["previous_risk_class"], data["risk_class"]) == (
            "SPECIAL_MENTION",
            "SUBSTANDARD",
        )
        # Drawn today or, across Shanghai midnight, yesterday.
        assert data["days_past_due"] in (100, 101)
        assert (data["outstanding_fen"], data["guarantor_id"]) == (800_000, guarantor.id)
        assert data["parties"]["bank_id"] == world.bank_a.id

        for party in (world.bank_a, world.sme_a, guarantor):
            seen = ok(_get(client, f"/v1/applications/{app_id}", party.key), 200)
            assert seen["risk_class"] == "SUBSTANDARD"
            # Read on the webhook's day or, across Shanghai midnight, the next.
            assert seen["days_past_due"] - data["days_past_due"] in (0, 1)
            assert app_id in _listed(client, party, "SUBSTANDARD")
            assert app_id not in _listed(client, party, "NORMAL")
        for other in (world.bank_b, world.sme_b, world.guar_a):
            assert _get(client, f"/v1/applications/{app_id}", other.key).status_code == 404
            assert app_id not in _listed(client, other, "SUBSTANDARD")
        history = ok(_get(client, f"/v1/applications/{app_id}/history", world.sme_a.key), 200)
        last = history["entries"][-1]
        assert (last["action"], last["actor"]) == ("RECLASSIFY", "system:risk-sweeper")

        refused = _get(client, "/v1/applications?risk_class=PERFORMING", world.bank_a.key)
        assert refused.status_code == 422
        assert [e["field"] for e in refused.json()["errors"]] == ["risk_class"]
    _the_guarantor_heard_what_the_lender_did(receiver, app_id)


def _the_guarantor_heard_what_the_lender_did(receiver: Receiver, app_id: str) -> None:
    wait_for(lambda: bool(_webhooks(receiver, app_id, GUARANTOR_HOOK, KIND)), 45.0)
    (lender_copy,) = _webhooks(receiver, app_id, LENDER_HOOK, KIND)
    (guarantor_copy,) = _webhooks(receiver, app_id, GUARANTOR_HOOK, KIND)
    assert guarantor_copy == {**lender_copy, "correlation_id": ""}
