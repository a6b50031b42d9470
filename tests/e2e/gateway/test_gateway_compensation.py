"""Compensation (代偿) through the gateway: the guarantee company backing an overdue
loan's line pays the bank with POST /compensations (Idempotency-Key, the amount as an
integer or a decimal string); the lender, the SME and the guarantor read it on the loan,
its movements and its history; the lender and the guarantor get LoanCompensated by
webhook, the guarantor's copy without the lender's correlation id."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, timedelta

import httpx
import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.test_gateway_limits import _assert_problem
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
GUARANTOR_HOOK = "/guarantor-that-compensates"
DRAWN_FEN = 800_000  # half guaranteed


def test_the_guarantor_compensates_an_overdue_loan_and_lender_and_guarantor_hear_of_it(
    world: World, receiver: Receiver, gateway_platform: RunningPlatform
) -> None:
    bank, sme = world.bank_a, world.sme_a
    with world.client() as client:
        guarantor = new_guarantor(client, world.operator_key, HEFEI)
        new_webhook(client, guarantor, receiver, GUARANTOR_HOOK)
        line = new_line(client, bank, sme, 20_000_000, guarantor=guarantor)
        app_id = new_application(client, sme, bank, 2_000_000)
        path = f"/v1/applications/{app_id}"
        ok(post(client, f"{path}/approve", bank.key, {"credit_line_id": line}), 200)
        ok(post(client, f"{path}/disbursements", bank.key, {"amount_fen": DRAWN_FEN}))
        early = post(client, f"{path}/compensations", guarantor.key, {"amount_fen": 1})
        _assert_problem(early, 409, None)  # not overdue yet

        first = date.fromisoformat(get_ok(client, path, sme.key)["first_drawn_on"])
        credit_dsn = gateway_platform.platform.env["G60_CREDIT_PG_DSN"]
        asyncio.run(_matured(credit_dsn, app_id, first - timedelta(days=2)))
        wait_for(lambda: bool(get_ok(client, path, bank.key)["overdue_since"]), timeout_s=45.0)

        key = str(uuid.uuid4())
        done = ok(
            post(client, f"{path}/compensations", guarantor.key, {"amount_fen": "300000"}, key)
        )
        again = ok(
            post(client, f"{path}/compensations", guarantor.key, {"amount_fen": "300000"}, key)
        )
        assert again == done
        conflict = post(client, f"{path}/compensations", guarantor.key, {"amount_fen": 2}, key)
        _assert_problem(conflict, 422, "Idempotency-Key")
        assert (done["amount_fen"], done["guarantee_fen"]) == (300_000, 300_000)
        app = done["application"]
        assert (app["repaid_fen"], app["compensated_fen"], app["outstanding_fen"]) == (
            300_000,
            300_000,
            500_000,
        )
        _refusals(client, world, guarantor.key, path)
        for reader in (bank.key, sme.key, guarantor.key):
            _reads_the_compensation(client, path, reader, done["movement_id"])
        capacity = get_ok(client, f"/v1/guarantors/{guarantor.id}/capacity", guarantor.key)
        assert capacity["used_fen"] == DRAWN_FEN // 2 - 300_000
    _lender_and_guarantor_heard_of_it(receiver, app_id, guarantor.id)


def _refusals(client: httpx.Client, world: World, key: str, path: str) -> None:
    url = f"{path}/compensations"
    _assert_problem(post(client, url, key, {"amount_fen": 100_001}), 409, None)  # 100,000 held
    for bad in (0, -1, "1.5", 2**63):
        _assert_problem(post(client, url, key, {"amount_fen": bad}), 422, "amount_fen")
    for other in (world.guar_a, world.bank_a, world.sme_a):
        _assert_problem(post(client, url, other.key, {"amount_fen": 1}), 404, None)


def _reads_the_compensation(client: httpx.Client, path: str, key: str, movement_id: str) -> None:
    assert get_ok(client, path, key)["compensated_fen"] == 300_000
    last = get_ok(client, f"{path}/movements", key)["movements"][-1]
    assert (last["movement_id"], last["kind"], last["repaid_after_fen"]) == (
        movement_id,
        "COMPENSATION",
        300_000,
    )
    entry = get_ok(client, f"{path}/history", key)["entries"][-1]
    assert entry["action"] == "COMPENSATE" and entry["actor"].startswith("guarantor:")


def _lender_and_guarantor_heard_of_it(receiver: Receiver, app_id: str, guarantor_id: str) -> None:
    kind = "LoanCompensated"
    wait_for(lambda: bool(_webhooks(receiver, app_id, GUARANTOR_HOOK, kind)), 45.0)
    wait_for(lambda: bool(_webhooks(receiver, app_id, LENDER_HOOK, kind)), 45.0)
    (lender_copy,) = _webhooks(receiver, app_id, LENDER_HOOK, kind)
    (guarantor_copy,) = _webhooks(receiver, app_id, GUARANTOR_HOOK, kind)
    assert guarantor_copy == {**lender_copy, "correlation_id": ""}
    data = lender_copy["data"]
    assert (data["guarantor_id"], data["amount_fen"], data["guarantee_released_fen"]) == (
        guarantor_id,
        300_000,
        300_000,
    )
    assert (data["application_compensated_fen"], data["application_outstanding_fen"]) == (
        300_000,
        500_000,
    )
