"""Object-level authorization: every route that takes an id is probed by every
caller who does not own the object, and each probe must be a 404 that writes
nothing. A new id route without a row in MATRIX fails the suite."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from g60_gateway.config import GatewaySettings
from g60_gateway.entrypoints.app import create_app
from starlette.routing import Route

from tests.e2e.gateway.world import GUARANTOR_CAPACITY_FEN, World

pytestmark = pytest.mark.e2e

REASON = {"reason": "tenancy probe"}
# Two guarantee companies probe every route too: guar_a backs line_a, guar_b line_b.
ALL = ("bank_a", "bank_b", "sme_a", "sme_b", "guar_a", "guar_b")

# (method, route) -> (path params of objects owned by side A, body, callers that own them)
Row = tuple[Callable[[World], dict[str, Any]], dict[str, Any] | None, tuple[str, ...]]
MATRIX: dict[tuple[str, str], Row] = {
    ("GET", "/v1/members/{member_id}"): (lambda w: {"member_id": w.bank_a.id}, None, ("bank_a",)),
    ("POST", "/v1/members/{member_id}/suspend"): (lambda w: {"member_id": w.bank_a.id}, REASON, ()),
    ("POST", "/v1/members/{member_id}/reinstate"): (
        lambda w: {"member_id": w.bank_a.id},
        REASON,
        (),
    ),
    ("POST", "/v1/members/{member_id}/withdraw"): (
        lambda w: {"member_id": w.bank_a.id},
        REASON,
        (),
    ),
    ("PATCH", "/v1/members/{member_id}"): (
        lambda w: {"member_id": w.bank_a.id},
        {"expected_version": 1, "contact": "probe"},
        (),
    ),
    ("PATCH", "/v1/enterprises/{enterprise_id}"): (
        lambda w: {"enterprise_id": w.sme_a.id},
        {"expected_version": 1, "name": "probe"},
        (),
    ),
    ("POST", "/v1/guarantors/{guarantor_id}/capacity"): (
        lambda w: {"guarantor_id": w.guar_a.id},
        {"capacity_fen": 1},
        (),  # the office's: not even the guarantor itself sets its capacity
    ),
    ("GET", "/v1/guarantors/{guarantor_id}/capacity"): (
        lambda w: {"guarantor_id": w.guar_a.id},
        None,
        ("guar_a",),
    ),
    # The office's check of an SME: no bank or SME may decide, not even on itself.
    ("POST", "/v1/enterprises/{enterprise_id}/verify"): (
        lambda w: {"enterprise_id": w.sme_a.id},
        REASON,
        (),
    ),
    ("POST", "/v1/enterprises/{enterprise_id}/reject"): (
        lambda w: {"enterprise_id": w.sme_a.id},
        REASON,
        (),
    ),
    ("POST", "/v1/enterprises/{enterprise_id}/deregister"): (
        lambda w: {"enterprise_id": w.sme_a.id},
        REASON,
        (),
    ),
    ("GET", "/v1/enterprises/{enterprise_id}"): (
        lambda w: {"enterprise_id": w.sme_a.id},
        None,
        ("sme_a",),
    ),
    ("DELETE", "/v1/credentials/{key_id}"): (lambda w: {"key_id": w.bank_a.key_id}, None, ()),
    ("GET", "/v1/credit-lines/{credit_line_id}"): (
        lambda w: {"credit_line_id": w.line_a},
        None,
        # The granting bank, the enterprise it was granted to, its guarantee company.
        ("bank_a", "sme_a", "guar_a"),
    ),
    ("POST", "/v1/credit-lines/{credit_line_id}/amend"): (
        lambda w: {"credit_line_id": w.line_a},
        {"new_limit_fen": 1, "reason": "probe"},
        ("bank_a",),
    ),
    ("POST", "/v1/credit-lines/{credit_line_id}/freeze"): (
        lambda w: {"credit_line_id": w.line_a},
        REASON,
        ("bank_a",),
    ),
    ("POST", "/v1/credit-lines/{credit_line_id}/unfreeze"): (
        lambda w: {"credit_line_id": w.line_a},
        REASON,
        ("bank_a",),
    ),
    ("POST", "/v1/credit-lines/{credit_line_id}/close"): (
        lambda w: {"credit_line_id": w.line_a},
        REASON,
        ("bank_a",),
    ),
    ("GET", "/v1/credit-lines/{credit_line_id}/audit"): (
        lambda w: {"credit_line_id": w.line_a},
        None,
        ("bank_a",),
    ),
    ("GET", "/v1/applications/{application_id}"): (
        lambda w: {"application_id": w.app_a},
        None,
        ("sme_a", "bank_a"),
    ),
    ("GET", "/v1/applications/{application_id}/movements"): (
        lambda w: {"application_id": w.app_a},
        None,
        ("sme_a", "bank_a"),
    ),
    ("GET", "/v1/applications/{application_id}/history"): (
        lambda w: {"application_id": w.app_a},
        None,
        ("sme_a", "bank_a"),
    ),
    ("POST", "/v1/applications/{application_id}/withdraw"): (
        lambda w: {"application_id": w.app_a},
        REASON,
        ("sme_a",),
    ),
    ("POST", "/v1/applications/{application_id}/approve"): (
        lambda w: {"application_id": w.app_a},
        {"credit_line_id": "x"},
        ("bank_a",),
    ),
    ("POST", "/v1/applications/{application_id}/reject"): (
        lambda w: {"application_id": w.app_a},
        REASON,
        ("bank_a",),
    ),
    ("POST", "/v1/applications/{application_id}/close"): (
        lambda w: {"application_id": w.app_a},
        REASON,
        ("bank_a",),
    ),
    ("POST", "/v1/applications/{application_id}/disbursements"): (
        lambda w: {"application_id": w.app_a},
        {"amount_fen": 1},
        ("bank_a",),
    ),
    ("POST", "/v1/applications/{application_id}/repayments"): (
        lambda w: {"application_id": w.app_a},
        {"amount_fen": 1},
        ("bank_a",),
    ),
    ("POST", "/v1/applications/{application_id}/extensions"): (
        lambda w: {"application_id": w.app_a},
        {"months": 1},
        ("bank_a",),
    ),
    # The guarantor of the loan's line compensates (app_a is bound to no line yet, so
    # to guar_a too it is no loan of its own).
    ("POST", "/v1/applications/{application_id}/compensations"): (
        lambda w: {"application_id": w.app_a},
        {"amount_fen": 1},
        ("guar_a",),
    ),
    ("GET", "/v1/webhooks/{webhook_id}"): (lambda w: {"webhook_id": w.hook_a}, None, ("bank_a",)),
    ("DELETE", "/v1/webhooks/{webhook_id}"): (
        lambda w: {"webhook_id": w.hook_a},
        None,
        ("bank_a",),
    ),
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): (
        lambda w: {"webhook_id": w.hook_a},
        None,
        ("bank_a",),
    ),
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver"): (
        lambda w: {"webhook_id": w.hook_a, "delivery_id": 1},
        None,
        ("bank_a",),
    ),
}


def _on_sme_a_s_webhook(row: Row) -> Row:
    """A webhook route's row, probing sme_a's webhook instead of bank_a's."""
    params_of, body, _ = row
    return (lambda w: {**params_of(w), "webhook_id": w.hook_sme_a}, body, ("sme_a",))


# SMEs keep webhooks as banks do: sme_a's is probed on the same routes.
SME_WEBHOOK_ROWS = {
    route: _on_sme_a_s_webhook(row)
    for route, row in MATRIX.items()
    if route[1].startswith("/v1/webhooks/")
}


def _id_routes() -> set[tuple[str, str]]:
    app = create_app(GatewaySettings.from_env({}))
    found = set()
    for route in app.routes:
        if isinstance(route, Route) and "{" in route.path:
            found |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    return found


def test_every_id_route_is_in_the_matrix() -> None:
    missing = _id_routes() - set(MATRIX)
    assert not missing, f"add these routes to the tenancy matrix: {sorted(missing)}"


def _call(client: httpx.Client, method: str, path: str, key: str, body: Any) -> httpx.Response:
    if method in ("POST", "PATCH"):
        headers = {"X-API-Key": key, "Idempotency-Key": str(uuid.uuid4())}
        return client.request(method, path, json=body or {}, headers=headers)
    return client.request(method, path, headers={"X-API-Key": key})


@pytest.mark.parametrize(("method", "route"), sorted(MATRIX), ids=lambda v: str(v))
def test_other_tenants_get_404(world: World, method: str, route: str) -> None:
    _probe(world, method, route, MATRIX[(method, route)])


@pytest.mark.parametrize(("method", "route"), sorted(SME_WEBHOOK_ROWS), ids=lambda v: str(v))
def test_other_tenants_get_404_on_an_sme_s_webhook(world: World, method: str, route: str) -> None:
    _probe(world, method, route, SME_WEBHOOK_ROWS[(method, route)])


def _probe(world: World, method: str, route: str, row: Row) -> None:
    params_of, body, owners = row
    path = route.format(**params_of(world))
    parties = world.parties()
    with world.client() as client:
        for name in ALL:
            if name in owners:
                continue
            reply = _call(client, method, path, parties[name].key, body)
            assert reply.status_code == 404, (name, method, path, reply.text)
            assert reply.headers["content-type"].startswith("application/problem+json")
        # The owners still see their objects: the 404s above are about tenancy.
        for name in owners:
            if method == "GET":
                reply = client.get(path, headers={"X-API-Key": parties[name].key})
                assert reply.status_code == 200, (name, path, reply.text)


def test_objects_are_untouched_after_the_probes(world: World) -> None:
    with world.client() as client:
        line = client.get(
            f"/v1/credit-lines/{world.line_a}", headers={"X-API-Key": world.bank_a.key}
        )
        app = client.get(f"/v1/applications/{world.app_a}", headers={"X-API-Key": world.sme_a.key})
        hook = client.get(f"/v1/webhooks/{world.hook_a}", headers={"X-API-Key": world.bank_a.key})
        sme_hook = client.get(
            f"/v1/webhooks/{world.hook_sme_a}", headers={"X-API-Key": world.sme_a.key}
        )
        me = client.get("/v1/me", headers={"X-API-Key": world.bank_a.key})
        sme = client.get(
            f"/v1/enterprises/{world.sme_a.id}", headers={"X-API-Key": world.sme_a.key}
        )
        capacity = client.get(
            f"/v1/guarantors/{world.guar_a.id}/capacity", headers={"X-API-Key": world.guar_a.key}
        )
    assert line.json()["status"] == "ACTIVE" and line.json()["limit_fen"] == 100_000_000
    assert sme.json()["status"] == "ACTIVE"  # no verify/reject/deregister probe landed
    assert app.json()["status"] == "SUBMITTED"
    assert hook.status_code == 200 and sme_hook.status_code == 200  # no probe deleted them
    assert me.status_code == 200  # bank_a's key was not revoked by anyone else
    assert capacity.json()["capacity_fen"] == GUARANTOR_CAPACITY_FEN  # no probe set it


def test_lists_show_only_own_objects(world: World) -> None:
    with world.client() as client:
        lines = client.get("/v1/credit-lines", headers={"X-API-Key": world.bank_b.key}).json()
        hooks = client.get("/v1/webhooks", headers={"X-API-Key": world.bank_b.key}).json()
        sme_hooks = client.get("/v1/webhooks", headers={"X-API-Key": world.sme_b.key}).json()
        apps_bank = client.get("/v1/applications", headers={"X-API-Key": world.bank_b.key}).json()
        apps_sme = client.get("/v1/applications", headers={"X-API-Key": world.sme_b.key}).json()
        backed = client.get("/v1/credit-lines", headers={"X-API-Key": world.guar_b.key}).json()
        loans = client.get("/v1/applications", headers={"X-API-Key": world.guar_b.key}).json()
    assert {line["bank_id"] for line in lines["credit_lines"]} == {world.bank_b.id}
    assert world.line_a not in {line["credit_line_id"] for line in lines["credit_lines"]}
    assert [h["webhook_id"] for h in hooks["webhooks"]] == [world.hook_b]
    assert sme_hooks["webhooks"] == []  # sme_b keeps none; sme_a's is its own
    assert world.app_b in {a["application_id"] for a in apps_bank["applications"]}
    assert world.app_a not in {a["application_id"] for a in apps_bank["applications"]}
    assert {a["enterprise_id"] for a in apps_sme["applications"]} == {world.sme_b.id}
    assert [line["credit_line_id"] for line in backed["credit_lines"]] == [world.line_b]
    assert loans["applications"] == []  # app_b is not approved: bound to no line yet


def _bank_rows(client: httpx.Client, key: str | None, query: str = "") -> dict[str, Any]:
    headers = {"X-API-Key": key} if key else {}
    reply = client.get(f"/v1/totals{query}", headers=headers)
    assert reply.status_code == 200, reply.text
    return dict(reply.json()["by"].get("bank", {"absent": True}))


def test_per_bank_totals_are_the_office_s_and_each_bank_s_own(world: World) -> None:
    """Each bank's figures are its lending book: the office sees all, a bank its own
    row, the public and SMEs none (the alliance-wide and city totals stay public)."""
    with world.client() as client:
        deadline = time.monotonic() + 30
        while {world.bank_a.id, world.bank_b.id} - _bank_rows(client, world.operator_key).keys():
            assert time.monotonic() < deadline, "the aggregator never counted both banks"
            time.sleep(0.3)
        for query in ("", "?dimension=bank"):
            assert _bank_rows(client, world.bank_a.key, query).keys() == {world.bank_a.id}
            assert _bank_rows(client, world.bank_b.key, query).keys() == {world.bank_b.id}
        for key in (None, world.sme_a.key, world.guar_a.key):
            assert _bank_rows(client, key) == {"absent": True}
            headers = {"X-API-Key": key} if key else {}
            refused = client.get("/v1/totals?dimension=bank", headers=headers)
            assert refused.status_code == 403, refused.text
            assert refused.headers["content-type"].startswith("application/problem+json")
            assert [e["field"] for e in refused.json()["errors"]] == ["dimension"]
        public = client.get("/v1/totals").json()
        assert public["alliance"]["credit_lines"] >= 2 and public["by"]["enterprise_city"]
        bad_key = client.get("/v1/totals", headers={"X-API-Key": "g60_nope_nope"})
        assert bad_key.status_code == 401, bad_key.text


def test_a_cell_of_one_or_two_banks_is_withheld_from_all_but_the_office(world: World) -> None:
    """A cell that one or two banks' figures make up is their book (with two, each can
    subtract its own and read the other's): only the office sees its figures. The two
    banks of this world lend in cells of their own, so there are such cells."""
    with world.client() as client:
        deadline = time.monotonic() + 30
        while True:
            office = client.get("/v1/totals", headers={"X-API-Key": world.operator_key}).json()
            small = {
                (dimension, value)
                for dimension, cells in office["by"].items()
                if dimension != "bank"
                for value, cell in cells.items()
                if 0 < cell.get("banks_with_activity", 0) < 3
            }
            if office["alliance"]["banks_with_activity"] >= 2 and small:
                break
            assert time.monotonic() < deadline, f"no small cell counted: {office['by']}"
            time.sleep(0.3)
        for key in (None, world.bank_a.key, world.sme_a.key, world.guar_a.key):
            headers = {"X-API-Key": key} if key else {}
            seen = client.get("/v1/totals", headers=headers).json()
            for dimension, value in small:
                cell = seen["by"][dimension][value]
                assert cell.get("withheld") is True and "credit_granted_fen" not in cell
            assert seen["alliance"]["credit_granted_fen"] > 0  # the alliance-wide figure stays
