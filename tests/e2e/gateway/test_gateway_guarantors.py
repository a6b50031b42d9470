"""A guarantee company (融资担保公司) through the gateway: it reads its capacity, the
lines it backs and the loans on them as the lender sees them, its own member record and
/v1/me; its one write is the compensation (代偿) of an overdue loan it backs
(test_gateway_compensation.py), and everything else is 404 (or 403 on routes without
an id)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.e2e.gateway.test_gateway_limits import _assert_problem
from tests.e2e.gateway.world import (
    GUARANTOR_CAPACITY_FEN,
    HEFEI,
    World,
    new_application,
    new_guarantor,
    ok,
    post,
)

pytestmark = pytest.mark.e2e

DRAWN_FEN = 400_000


@dataclass(frozen=True)
class Loan:
    application_id: str


@pytest.fixture(scope="module")
def loan(world: World) -> Loan:
    """sme_a's loan on line_a (guar_a backs half of it), approved and partly drawn."""
    with world.client() as client:
        app_id = new_application(client, world.sme_a, world.bank_a, 1_000_000)
        path = f"/v1/applications/{app_id}"
        ok(post(client, f"{path}/approve", world.bank_a.key, {"credit_line_id": world.line_a}), 200)
        ok(post(client, f"{path}/disbursements", world.bank_a.key, {"amount_fen": DRAWN_FEN}))
    return Loan(app_id)


def _get(client: httpx.Client, path: str, key: str) -> httpx.Response:
    return client.get(path, headers={"X-API-Key": key})


def _json(reply: httpx.Response) -> dict[str, Any]:
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_a_guarantor_knows_itself(world: World) -> None:
    with world.client() as client:
        me = _json(_get(client, "/v1/me", world.guar_a.key))
        member = _json(_get(client, f"/v1/members/{world.guar_a.id}", world.guar_a.key))
        other = _get(client, f"/v1/members/{world.guar_b.id}", world.guar_a.key)
    assert (me["principal_type"], me["principal_id"]) == ("guarantor", world.guar_a.id)
    assert (member["institution_type"], member["home_city"]) == ("GUARANTEE", HEFEI)
    _assert_problem(other, 404, None)


def test_capacity_is_the_office_s_and_the_guarantor_s_own(world: World, loan: Loan) -> None:
    path = f"/v1/guarantors/{world.guar_a.id}/capacity"
    with world.client() as client:
        own = _json(_get(client, path, world.guar_a.key))
        office = _json(_get(client, path, world.operator_key))
        refused = [_get(client, path, p.key) for p in (world.guar_b, world.bank_a, world.sme_a)]
        never_set = new_guarantor(client, world.operator_key, HEFEI, capacity_fen=0)
        unset = _get(client, f"/v1/guarantors/{never_set.id}/capacity", never_set.key)
        unset_office = _get(client, f"/v1/guarantors/{never_set.id}/capacity", world.operator_key)
    assert own == office
    assert (own["capacity_fen"], own["used_fen"]) == (GUARANTOR_CAPACITY_FEN, DRAWN_FEN // 2)
    assert own["available_fen"] == GUARANTOR_CAPACITY_FEN - DRAWN_FEN // 2
    for reply in [*refused, unset, unset_office]:
        _assert_problem(reply, 404, None)


def test_a_guarantor_reads_the_loan_as_the_lender_does(world: World, loan: Loan) -> None:
    path = f"/v1/applications/{loan.application_id}"
    with world.client() as client:
        listed = _json(_get(client, "/v1/applications?status=DISBURSED", world.guar_a.key))
        approved = _json(_get(client, "/v1/applications?status=APPROVED", world.guar_a.key))
        overdue = _json(_get(client, "/v1/applications?overdue=true", world.guar_a.key))
        seen = _json(_get(client, path, world.guar_a.key))
        lender = _json(_get(client, path, world.bank_a.key))
        movements = _json(_get(client, f"{path}/movements", world.guar_a.key))
        history = _json(_get(client, f"{path}/history", world.guar_a.key))
        lender_history = _json(_get(client, f"{path}/history", world.bank_a.key))
        line = _json(_get(client, f"/v1/credit-lines/{world.line_a}", world.guar_a.key))
    assert [a["application_id"] for a in listed["applications"]] == [loan.application_id]
    assert approved["applications"] == [] and overdue["applications"] == []  # not yet due
    assert seen == lender and seen["disbursed_fen"] == DRAWN_FEN
    assert [(m["kind"], m["amount_fen"]) for m in movements["movements"]] == [
        ("DRAWDOWN", DRAWN_FEN)
    ]
    assert [e["action"] for e in history["entries"]] == ["APPLY", "APPROVE", "DRAWDOWN"]
    assert {e["request_id"] for e in history["entries"]} == {""}
    assert {e["request_id"] for e in lender_history["entries"]} > {""}
    assert [e["application"] for e in history["entries"]] == [
        e["application"] for e in lender_history["entries"]
    ]
    assert (line["guarantor_id"], line["cover_ratio_bp"]) == (world.guar_a.id, 5_000)


def test_another_guarantor_sees_none_of_it(world: World, loan: Loan) -> None:
    path = f"/v1/applications/{loan.application_id}"
    with world.client() as client:
        for suffix in ("", "/movements", "/history"):
            _assert_problem(_get(client, f"{path}{suffix}", world.guar_b.key), 404, None)
        line = _get(client, f"/v1/credit-lines/{world.line_a}", world.guar_b.key)
        _assert_problem(line, 404, None)
        listed = _json(_get(client, "/v1/applications", world.guar_b.key))
    assert loan.application_id not in {a["application_id"] for a in listed["applications"]}


def test_the_work_queue_is_the_banks_only(world: World) -> None:
    with world.client() as client:
        reply = _get(client, "/v1/applications?awaiting_decision=true", world.guar_a.key)
    _assert_problem(reply, 422, "awaiting_decision")


WRITES_WITHOUT_ID = [
    ("/v1/credit-lines", {"enterprise_id": "x", "limit_fen": 1}),
    ("/v1/applications", {"amount_fen": 1, "term_months": 1, "purpose": "x"}),
    ("/v1/credentials", {"principal_type": "guarantor", "principal_id": "x"}),
    ("/v1/members", {"name": "x"}),
]


@pytest.mark.parametrize(("path", "body"), WRITES_WITHOUT_ID, ids=[w[0] for w in WRITES_WITHOUT_ID])
def test_a_guarantor_writes_nothing_without_an_id(world: World, path: str, body: Any) -> None:
    with world.client() as client:
        _assert_problem(post(client, path, world.guar_a.key, body), 403, None)


def test_a_guarantor_writes_nothing_on_its_own_loan_or_capacity(world: World, loan: Loan) -> None:
    """Except a compensation, which waits for the loan to fall overdue (409 until then)."""
    app = f"/v1/applications/{loan.application_id}"
    with world.client() as client:
        early = post(client, f"{app}/compensations", world.guar_a.key, {"amount_fen": 1})
        _assert_problem(early, 409, None)
        for path, body in [
            (f"{app}/disbursements", {"amount_fen": 1}),
            (f"{app}/repayments", {"amount_fen": 1}),
            (f"{app}/close", {"reason": "no"}),
            (f"/v1/credit-lines/{world.line_a}/freeze", {"reason": "no"}),
            (f"/v1/guarantors/{world.guar_a.id}/capacity", {"capacity_fen": 1}),
        ]:
            _assert_problem(post(client, path, world.guar_a.key, body), 404, None)
        capacity = _json(
            _get(client, f"/v1/guarantors/{world.guar_a.id}/capacity", world.guar_a.key)
        )
    assert capacity["capacity_fen"] == GUARANTOR_CAPACITY_FEN
