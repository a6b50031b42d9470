"""Loan extension (展期) through the gateway: the lender extends a loan with
POST /extensions (Idempotency-Key: the same body replays the answer, another body is
422); the refusals are 409s naming the rule or 422s naming the field; anyone but the
lender gets 404; the SME reads the new maturity date and the EXTEND history entry; the
lender and the line's guarantee company get LoanExtended by webhook."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from g60_credit.domain.calendar import add_months

from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.test_gateway_limits import _assert_problem
from tests.e2e.gateway.test_gateway_loan_terms import LENDER_HOOK, _webhooks
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
GUARANTOR_HOOK = "/guarantor-of-an-extended-loan"
DRAWN_FEN = 800_000  # half guaranteed


def test_the_lender_extends_a_loan_once_and_lender_and_guarantor_hear_of_it(
    world: World, receiver: Receiver
) -> None:
    bank, sme = world.bank_a, world.sme_a
    with world.client() as client:
        guarantor = new_guarantor(client, world.operator_key, HEFEI)
        new_webhook(client, guarantor, receiver, GUARANTOR_HOOK)
        line = new_line(client, bank, sme, 20_000_000, guarantor=guarantor)
        app_id = new_application(client, sme, bank, 2_000_000)
        path = f"/v1/applications/{app_id}"
        ok(post(client, f"{path}/approve", bank.key, {"credit_line_id": line}), 200)
        not_drawn = post(client, f"{path}/extensions", bank.key, {"months": 1})
        _assert_problem(not_drawn, 409, None)
        assert not_drawn.json()["code"] == "LoanNotDisbursed"
        ok(post(client, f"{path}/disbursements", bank.key, {"amount_fen": DRAWN_FEN}))
        maturity = date.fromisoformat(get_ok(client, path, sme.key)["maturity_date"])

        key = str(uuid.uuid4())
        done = ok(post(client, f"{path}/extensions", bank.key, {"months": 6}, key), 200)
        again = ok(post(client, f"{path}/extensions", bank.key, {"months": 6}, key), 200)
        assert again == done
        conflict = post(client, f"{path}/extensions", bank.key, {"months": 3}, key)
        _assert_problem(conflict, 422, "Idempotency-Key")
        assert (done["extended_months"], done["maturity_date"]) == (
            6,
            add_months(maturity, 6).isoformat(),
        )
        _refusals(client, world, guarantor.key, path)
        seen = get_ok(client, path, sme.key)
        assert (seen["maturity_date"], seen["extended_months"]) == (done["maturity_date"], 6)
        entry = get_ok(client, f"{path}/history", sme.key)["entries"][-1]
        assert (entry["action"], entry["actor"]) == ("EXTEND", f"bank:{bank.id}")
    _lender_and_guarantor_heard_of_it(receiver, app_id, maturity, guarantor.id)


def _refusals(client: httpx.Client, world: World, guarantor_key: str, path: str) -> None:
    url = f"{path}/extensions"
    twice = post(client, url, world.bank_a.key, {"months": 1})
    _assert_problem(twice, 409, None)
    assert twice.json()["code"] == "AlreadyExtended"
    for bad in (0, 361, "6", 1.5):
        _assert_problem(post(client, url, world.bank_a.key, {"months": bad}), 422, "months")
    for other in (world.bank_b.key, world.sme_a.key, world.sme_b.key, guarantor_key):
        _assert_problem(post(client, url, other, {"months": 1}), 404, None)


def _lender_and_guarantor_heard_of_it(
    receiver: Receiver, app_id: str, maturity: date, guarantor_id: str
) -> None:
    kind = "LoanExtended"
    wait_for(lambda: bool(_webhooks(receiver, app_id, GUARANTOR_HOOK, kind)), 45.0)
    wait_for(lambda: bool(_webhooks(receiver, app_id, LENDER_HOOK, kind)), 45.0)
    (lender_copy,) = _webhooks(receiver, app_id, LENDER_HOOK, kind)
    (guarantor_copy,) = _webhooks(receiver, app_id, GUARANTOR_HOOK, kind)
    assert guarantor_copy == {**lender_copy, "correlation_id": ""}
    data = lender_copy["data"]
    assert (data["previous_maturity_date"], data["months"]) == (maturity.isoformat(), 6)
    assert data["maturity_date"] == add_months(maturity, 6).isoformat()
    assert (data["guarantor_id"], data["guarantee_fen"]) == (guarantor_id, DRAWN_FEN // 2)
    # The borrower hears of its new due date too, without the bank's city, type or
    # request id.
    wait_for(lambda: bool(_webhooks(receiver, app_id, "/sme-a", kind)), 45.0)
    (borrower_copy,) = _webhooks(receiver, app_id, "/sme-a", kind)
    parties = {**data["parties"], "bank_city": "", "bank_type": ""}
    assert borrower_copy == {
        **lender_copy,
        "correlation_id": "",
        "data": {**data, "parties": parties},
    }
