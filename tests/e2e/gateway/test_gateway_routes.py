"""Each route does what it says, through the real services: the thin translation
layer maps fields, status codes and pages correctly."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.gateway.world import HEFEI, World, new_application, new_bank, new_line, ok, post

pytestmark = pytest.mark.e2e


def _patch(client: httpx.Client, path: str, key: str, body: Any) -> httpx.Response:
    headers = {"X-API-Key": key, "Idempotency-Key": str(uuid.uuid4())}
    return client.patch(path, json=body, headers=headers)


def test_member_update_suspend_reinstate_and_list(world: World) -> None:
    op = world.operator_key
    with world.client() as client:
        bank = new_bank(client, op, HEFEI)
        path = f"/v1/members/{bank.id}"
        updated = ok(_patch(client, path, op, {"expected_version": 1, "contact": "desk@x"}), 200)
        assert updated["contact"] == "desk@x" and updated["version"] == 2
        stale = _patch(client, path, op, {"expected_version": 1, "contact": "again"})
        assert stale.status_code == 409, stale.text
        assert [e["field"] for e in stale.json()["errors"]] == ["expected_version"]
        assert ok(post(client, f"{path}/suspend", op, {"reason": "audit"}), 200)["status"] == (
            "SUSPENDED"
        )
        assert ok(post(client, f"{path}/reinstate", op, {"reason": "ok"}), 200)["status"] == (
            "ACTIVE"
        )
        own = client.get(path, headers={"X-API-Key": bank.key})
        assert own.status_code == 200 and own.json()["member_id"] == bank.id
        listed = client.get(
            "/v1/members", params={"home_city": HEFEI, "page_size": 200}, headers={"X-API-Key": op}
        ).json()
    assert bank.id in {m["member_id"] for m in listed["members"]}


def test_member_status_changes_take_expected_version(world: World) -> None:
    op = world.operator_key
    with world.client() as client:
        bank = new_bank(client, op, HEFEI)
        path = f"/v1/members/{bank.id}"
        suspended = ok(
            post(client, f"{path}/suspend", op, {"reason": "audit", "expected_version": 1}), 200
        )
        assert (suspended["status"], suspended["version"]) == ("SUSPENDED", 2)
        stale = post(client, f"{path}/reinstate", op, {"reason": "ok", "expected_version": 1})
        assert stale.status_code == 409, stale.text
        assert [e["field"] for e in stale.json()["errors"]] == ["expected_version"]
        body = {"reason": "ok", "expected_version": 2}
        assert ok(post(client, f"{path}/reinstate", op, body), 200)["status"] == "ACTIVE"
        bad = post(client, f"{path}/withdraw", op, {"reason": "x", "expected_version": 0})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "expected_version"


@pytest.mark.parametrize("content", [b"{", b'{"name": "x"} trailing garbage'])
def test_a_body_that_is_not_json_is_400_naming_body(world: World, content: bytes) -> None:
    """FastAPI named the character position where parsing stopped as the field."""
    headers = {
        "X-API-Key": world.operator_key,
        "Idempotency-Key": str(uuid.uuid4()),
        "content-type": "application/json",
    }
    with world.client() as client:
        reply = client.post("/v1/members", content=content, headers=headers)
    assert reply.status_code == 400, reply.text
    assert [e["field"] for e in reply.json()["errors"]] == ["body"]


def test_enterprise_update_and_list(world: World) -> None:
    op = world.operator_key
    with world.client() as client:
        current = client.get(f"/v1/enterprises/{world.sme_b.id}", headers={"X-API-Key": op}).json()
        path = f"/v1/enterprises/{world.sme_b.id}"
        wrong = _patch(
            client, path, op, {"expected_version": current["version"], "designations": ["X"]}
        )
        assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "designations"
        body = {
            "expected_version": current["version"],
            "designations": ["TECH_SME"],
            "contact": "kyc-desk@sme-b.example",
        }
        updated = ok(_patch(client, path, op, body), 200)
        page = client.get(
            "/v1/enterprises", params={"page_size": 1}, headers={"X-API-Key": op}
        ).json()
    assert updated["designations"] == ["TECH_SME"]
    assert updated["contact"] == "kyc-desk@sme-b.example"
    assert len(page["enterprises"]) == 1 and page["next_page_token"]


def test_credit_line_changes_take_expected_version(world: World) -> None:
    """Two officers read version 1; the second one's change is 409 naming
    expected_version and changes nothing; re-read, it goes through."""
    bank = world.bank_b
    with world.client() as client:
        path = f"/v1/credit-lines/{new_line(client, bank, world.sme_b, 10_000_000)}"
        body = {"new_limit_fen": 12_000_000, "reason": "review", "expected_version": 1}
        assert ok(post(client, f"{path}/amend", bank.key, body), 200)["version"] == 2
        for action, stale in (
            ("amend", {"new_limit_fen": 8_000_000, "reason": "cut", "expected_version": 1}),
            ("freeze", {"reason": "risk", "expected_version": 1}),
        ):
            reply = post(client, f"{path}/{action}", bank.key, stale)
            assert reply.status_code == 409, reply.text
            assert reply.headers["content-type"] == "application/problem+json"
            assert [e["field"] for e in reply.json()["errors"]] == ["expected_version"]
        line = client.get(path, headers={"X-API-Key": bank.key}).json()
        assert (line["version"], line["limit_fen"], line["status"]) == (2, 12_000_000, "ACTIVE")
        body = {"reason": "risk", "expected_version": line["version"]}
        assert ok(post(client, f"{path}/freeze", bank.key, body), 200)["status"] == "FROZEN"
        bad = post(client, f"{path}/unfreeze", bank.key, {"reason": "x", "expected_version": 0})
        assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "expected_version"


def test_credit_line_lifecycle_and_audit(world: World) -> None:
    bank = world.bank_b
    with world.client() as client:
        line = new_line(client, bank, world.sme_b, 10_000_000)
        path = f"/v1/credit-lines/{line}"
        amended = ok(
            post(
                client,
                f"{path}/amend",
                bank.key,
                {
                    "new_limit_fen": "20000000",
                    "reason": "good history",
                },
            ),
            200,
        )
        assert amended["limit_fen"] == 20_000_000
        not_frozen = post(client, f"{path}/unfreeze", bank.key, {"reason": "x"})
        assert not_frozen.status_code == 409, not_frozen.text
        for action, status in (("freeze", "FROZEN"), ("unfreeze", "ACTIVE"), ("close", "CLOSED")):
            reply = ok(post(client, f"{path}/{action}", bank.key, {"reason": action}), 200)
            assert reply["status"] == status
        audit = client.get(f"{path}/audit", headers={"X-API-Key": bank.key}).json()
        closed = client.get(
            "/v1/credit-lines", params={"status": "CLOSED"}, headers={"X-API-Key": bank.key}
        ).json()
    actions = [e["action"] for e in audit["entries"]]
    assert actions == ["REGISTER", "AMEND", "FREEZE", "UNFREEZE", "CLOSE"], actions
    assert line in {c["credit_line_id"] for c in closed["credit_lines"]}


def test_rejection_and_application_listing(world: World) -> None:
    with world.client() as client:
        app = new_application(client, world.sme_b, world.bank_b, 700_000)
        rejected = ok(
            post(
                client,
                f"/v1/applications/{app}/reject",
                world.bank_b.key,
                {
                    "reason": "insufficient collateral",
                },
            ),
            200,
        )
        listed = client.get(
            "/v1/applications",
            params={"status": "REJECTED"},
            headers={"X-API-Key": world.sme_b.key},
        ).json()
    assert rejected["status"] == "REJECTED"
    assert app in {a["application_id"] for a in listed["applications"]}
    assert all(a["status"] == "REJECTED" for a in listed["applications"])


def test_overdrawing_is_refused_without_changing_the_line(world: World) -> None:
    bank, sme = world.bank_b, world.sme_b
    with world.client() as client:
        line = new_line(client, bank, sme, 1_000_000)
        app = new_application(client, sme, bank, 1_000_000)
        ok(post(client, f"/v1/applications/{app}/approve", bank.key, {"credit_line_id": line}), 200)
        too_much = post(
            client,
            f"/v1/applications/{app}/disbursements",
            bank.key,
            {
                "amount_fen": 1_000_001,
            },
        )
        after = client.get(f"/v1/credit-lines/{line}", headers={"X-API-Key": bank.key}).json()
    assert too_much.status_code in (409, 422), too_much.text
    assert after["utilized_fen"] == 0


def test_sme_sees_its_own_credit_lines_only(world: World) -> None:
    with world.client() as client:
        own = client.get("/v1/credit-lines", headers={"X-API-Key": world.sme_a.key})
        assert own.status_code == 200, own.text
        ids = {line["credit_line_id"] for line in own.json()["credit_lines"]}
        assert world.line_a in ids and world.line_b not in ids
        assert all(line["enterprise_id"] == world.sme_a.id for line in own.json()["credit_lines"])
        one = client.get(f"/v1/credit-lines/{world.line_a}", headers={"X-API-Key": world.sme_a.key})
        assert one.status_code == 200 and one.json()["limit_fen"] > 0
        other = client.get(
            f"/v1/credit-lines/{world.line_b}", headers={"X-API-Key": world.sme_a.key}
        )
        assert other.status_code == 404
