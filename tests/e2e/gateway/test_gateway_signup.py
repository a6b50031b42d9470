"""SME self-registration through the public route, and the alliance office's check:
a pending SME signs in and reads its own records but gets no credit until verified;
replays, conflicts, bad input, duplicate USCCs and floods are refused as documented.

Each test signs up from its own client address (X-Forwarded-For, which the gateway's
server trusts from 127.0.0.1 as it would from a proxy), so per-address rate limits
and idempotency scopes do not leak between tests."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from g60_gateway.adapters.enterprise_credentials import issue_self_registration_key
from g60_gateway.domain.signup import client_address
from g60common.launcher import ServiceProcess
from g60common.stack.ports import find_free_ports
from g60common.uscc import make_uscc

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.world import HEFEI, World, ok, post

pytestmark = pytest.mark.e2e
SIGNUP = "/v1/sme/register"
_addresses = iter(range(1, 250))


def fresh_address() -> str:
    return f"203.0.113.{next(_addresses)}"


def signup_body(**overrides: Any) -> dict[str, Any]:
    body = {
        "name": "合肥类脑芯片有限公司",
        "uscc": make_uscc(f"91{HEFEI}MA{uuid.uuid4().int % 10**7:07d}"[:17]),
        "city": HEFEI,
        "industry": "INTEGRATED_CIRCUITS",
        "size_class": "SMALL",
        "contact": "陈经理 0551-66668888",
    }
    return {**body, **overrides}


def sign_up(
    client: httpx.Client, body: Any, address: str, idem: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": idem or str(uuid.uuid4()), "X-Forwarded-For": address}
    return client.post(SIGNUP, json=body, headers=headers)


def _problem(reply: httpx.Response, status: int, field: str | None) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    assert reply.headers["content-type"].startswith("application/problem+json")
    problem = dict(reply.json())
    if field is not None:
        assert field in [e["field"] for e in problem.get("errors", [])], reply.text
    return problem


def _counts(running: RunningPlatform) -> tuple[int, int, int]:
    """Enterprises and outbox rows in the members database; keys in the gateway's."""

    async def count() -> tuple[int, int, int]:
        members = await asyncpg.connect(running.platform.env["G60_MEMBERS_PG_DSN"])
        gateway = await asyncpg.connect(running.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            return (
                await members.fetchval("SELECT count(*) FROM enterprises"),
                await members.fetchval("SELECT count(*) FROM outbox"),
                await gateway.fetchval("SELECT count(*) FROM api_credentials"),
            )
        finally:
            await members.close()
            await gateway.close()

    return asyncio.run(count())


def _holds_secret(running: RunningPlatform, idem_key: str) -> list[bool]:
    async def read() -> list[bool]:
        conn = await asyncpg.connect(running.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            rows = await conn.fetch(
                "SELECT holds_secret FROM http_idempotency WHERE idem_key = $1", idem_key
            )
            return [bool(r["holds_secret"]) for r in rows]
        finally:
            await conn.close()

    return asyncio.run(read())


def _live_keys(running: RunningPlatform, enterprise_id: str) -> int:
    async def count() -> int:
        conn = await asyncpg.connect(running.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            return int(
                await conn.fetchval(
                    "SELECT count(*) FROM api_credentials WHERE principal_type = 'enterprise' "
                    "AND principal_id = $1 AND revoked_at IS NULL",
                    enterprise_id,
                )
            )
        finally:
            await conn.close()

    return asyncio.run(count())


def _application(bank_id: str) -> dict[str, Any]:
    return {"bank_id": bank_id, "amount_fen": 500_000, "term_months": 6, "purpose": "研发投入"}


def _decide(
    client: httpx.Client, world: World, enterprise_id: str, action: str, **body: Any
) -> httpx.Response:
    return post(
        client,
        f"/v1/enterprises/{enterprise_id}/{action}",
        world.operator_key,
        {"reason": "营业执照与法人身份已核验", **body},
    )


def test_client_addresses_group_ipv6_by_64() -> None:
    assert client_address("203.0.113.9") == "203.0.113.9"
    assert client_address("2001:db8:1:2:aaaa::1") == client_address("2001:db8:1:2:bbbb::2")
    assert client_address("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert client_address("2001:db8:1:3::1") != client_address("2001:db8:1:2::1")
    assert client_address("::ffff:198.51.100.4") == "198.51.100.4"
    assert client_address(None) == "unknown"


def test_pending_sme_reads_its_own_records_and_gets_credit_only_once_verified(
    world: World, gateway_platform: RunningPlatform
) -> None:
    with world.client() as client:
        reply = sign_up(client, signup_body(), fresh_address())
        signed = ok(reply)
        enterprise, credential = signed["enterprise"], signed["credential"]
        firm_id, key = enterprise["enterprise_id"], credential["api_key"]
        assert enterprise["status"] == "PENDING_VERIFICATION" and enterprise["version"] == 1
        assert enterprise["contact"] == "陈经理 0551-66668888"
        assert key.startswith(f"g60_{credential['key_id']}_")
        me = client.get("/v1/me", headers={"X-API-Key": key}).json()
        assert (me["principal_type"], me["principal_id"]) == ("enterprise", firm_id)
        own = client.get(f"/v1/enterprises/{firm_id}", headers={"X-API-Key": key})
        assert own.status_code == 200 and own.json()["status"] == "PENDING_VERIFICATION"
        apps = client.get("/v1/applications", headers={"X-API-Key": key})
        assert apps.status_code == 200 and apps.json()["applications"] == []
        # No credit while pending: the SME cannot apply and no bank may grant it a line.
        refused = post(client, "/v1/applications", key, _application(world.bank_a.id))
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert "PENDING_VERIFICATION" in refused.json()["detail"], refused.text
        line = {
            "enterprise_id": firm_id,
            "limit_fen": 1_000_000,
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
        }
        pending_line = post(client, "/v1/credit-lines", world.bank_a.key, line)
        assert pending_line.status_code == 409, pending_line.text
        assert "PENDING_VERIFICATION" in pending_line.json()["detail"], pending_line.text
        queue = client.get(
            "/v1/enterprises",
            params={"status": "PENDING_VERIFICATION", "city": HEFEI, "page_size": 200},
            headers={"X-API-Key": world.operator_key},
        ).json()
        assert firm_id in {e["enterprise_id"] for e in queue["enterprises"]}

        verified = ok(_decide(client, world, firm_id, "verify", expected_version=1), 200)
        assert (verified["status"], verified["version"]) == ("ACTIVE", 2)
        # The credit service learns of the verification from the members topic.
        deadline = time.monotonic() + 30
        while (
            applied := post(client, "/v1/applications", key, _application(world.bank_a.id))
        ).status_code != 201:
            assert time.monotonic() < deadline, applied.text
            time.sleep(0.3)
        assert applied.json()["enterprise_id"] == firm_id
        ok(post(client, "/v1/credit-lines", world.bank_a.key, line))
    assert _live_keys(gateway_platform, firm_id) == 1


def test_same_key_and_body_replay_other_body_is_422_other_address_is_no_replay(
    world: World, gateway_platform: RunningPlatform
) -> None:
    body, idem, address = signup_body(), str(uuid.uuid4()), fresh_address()
    with world.client() as client:
        first = sign_up(client, body, address, idem)
        again = sign_up(client, body, address, idem)
        assert first.status_code == 201 and again.content == first.content
        assert again.headers.get("idempotent-replayed") == "true"
        before = _counts(gateway_platform)
        other = sign_up(client, {**body, "name": "另一家公司"}, address, idem)
        _problem(other, 422, "Idempotency-Key")
        # The same key and body from another address is not a replay, so the key in the
        # stored answer goes nowhere else: it is a new sign-up for a taken USCC.
        elsewhere = sign_up(client, body, fresh_address(), idem)
        _problem(elsewhere, 409, "uscc")
        assert "api_key" not in elsewhere.text
    assert _counts(gateway_platform) == before
    assert _live_keys(gateway_platform, first.json()["enterprise"]["enterprise_id"]) == 1
    # The stored answer holds the key in clear, so it is marked for the scrub that
    # withdraws it after an hour (tested on POST /v1/credentials in test_gateway_limits).
    assert _holds_secret(gateway_platform, idem) == [True]


BAD_SIGNUPS = [
    ("bad check character", {"uscc": "91350100M000100Y44"}, "uscc"),
    ("city outside the nine", {"city": "361100"}, "city"),
    ("city OTHER", {"city": "OTHER"}, "city"),
    ("large enterprise", {"size_class": "LARGE"}, "size_class"),
    ("unknown industry", {"industry": "MINING"}, "industry"),
    ("OTHER industry without code", {"industry": "OTHER"}, "industry_code"),
    ("empty contact", {"contact": ""}, "contact"),
    ("empty name", {"name": ""}, "name"),
    ("long name", {"name": "企" * 201}, "name"),
    ("unknown field", {"registered_capital_fen": 100}, "registered_capital_fen"),
    ("wrong type", {"size_class": 3}, "size_class"),
    ("control character", {"name": "坏\u0000名字"}, "name"),
]


@pytest.mark.parametrize(("case", "change", "field"), BAD_SIGNUPS, ids=[c[0] for c in BAD_SIGNUPS])
def test_bad_input_names_the_field_and_writes_nothing(
    world: World, gateway_platform: RunningPlatform, case: str, change: dict[str, Any], field: str
) -> None:
    before = _counts(gateway_platform)
    with world.client() as client:
        reply = sign_up(client, signup_body(**change), fresh_address())
    _problem(reply, 422, field)
    assert _counts(gateway_platform) == before


def test_every_bad_field_is_named_together_an_empty_name_included(
    world: World, gateway_platform: RunningPlatform
) -> None:
    """The gateway refused an empty name by itself, which hid the other bad fields."""
    before = _counts(gateway_platform)
    change = {"name": "", "city": "361100", "size_class": "LARGE", "contact": " "}
    with world.client() as client:
        reply = sign_up(client, signup_body(**change), fresh_address())
    problem = _problem(reply, 422, None)
    assert {e["field"] for e in problem["errors"]} == {"name", "city", "size_class", "contact"}
    assert _counts(gateway_platform) == before


def test_missing_idempotency_key_and_non_json_are_refused(
    world: World, gateway_platform: RunningPlatform
) -> None:
    before = _counts(gateway_platform)
    with world.client() as client:
        headers = {"X-Forwarded-For": fresh_address()}
        _problem(client.post(SIGNUP, json=signup_body(), headers=headers), 400, "Idempotency-Key")
        raw = {**headers, "Idempotency-Key": "k", "content-type": "application/json"}
        _problem(client.post(SIGNUP, content=b'{"name": ', headers=raw), 400, "body")
        big = client.post(SIGNUP, content=b"{" + b" " * 70_000 + b"}", headers=raw)
        _problem(big, 413, "body")
    assert _counts(gateway_platform) == before


def test_duplicate_uscc_is_409_revealing_no_more_than_the_office_route(
    world: World, gateway_platform: RunningPlatform
) -> None:
    with world.client() as client:
        taken = client.get(
            f"/v1/enterprises/{world.sme_a.id}", headers={"X-API-Key": world.operator_key}
        ).json()["uscc"]
        before = _counts(gateway_platform)
        public = _problem(sign_up(client, signup_body(uscc=taken), fresh_address()), 409, "uscc")
        office = post(
            client,
            "/v1/enterprises",
            world.operator_key,
            {
                "name": "x",
                "uscc": taken,
                "city": HEFEI,
                "industry": "BIOMEDICINE",
                "size_class": "SMALL",
            },
        )
        assert public["errors"] == _problem(office, 409, "uscc")["errors"]
        assert world.sme_a.id not in public["detail"]  # neither the id nor the status
        assert "ACTIVE" not in public["detail"]
    assert _counts(gateway_platform) == before


def test_sign_ups_are_rate_limited_per_address(world: World) -> None:
    address = fresh_address()
    with world.client() as client:
        # Refused bodies still take a token: probing costs the same as signing up.
        replies = [sign_up(client, {"name": ""}, address) for _ in range(8)]
        statuses = [r.status_code for r in replies]
        other = sign_up(client, {"name": ""}, fresh_address())
    limited = [r for r in replies if r.status_code == 429]
    assert limited and statuses[0] == 422, statuses
    assert int(limited[0].headers["retry-after"]) >= 1
    _problem(limited[0], 429, None)
    assert other.status_code == 422  # another address has its own bucket


def test_the_sign_up_limit_is_shared_by_gateway_replicas(
    world: World, gateway_platform: RunningPlatform, tmp_path: Path
) -> None:
    """A second gateway on the same database: the address's five sign-ups at once are
    five across both, not five each (the buckets live in PostgreSQL)."""
    port = find_free_ports(1)[0]
    env = {**gateway_platform.platform.env, "G60_GATEWAY_PORT": str(port)}
    second = ServiceProcess(
        "gateway-2",
        "g60_gateway",
        env,
        tmp_path / "gateway-2.log",
        f"http:http://127.0.0.1:{port}/healthz",
    )
    second.start()
    try:
        second.wait_ready()
        address = fresh_address()
        with (
            world.client() as one,
            httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=15) as two,
        ):
            statuses = [sign_up(c, {"name": ""}, address).status_code for c in (one, two) * 3]
        assert statuses == [422] * 5 + [429], statuses
    finally:
        second.stop()


def test_rejection_revokes_the_key_and_frees_the_uscc(
    world: World, gateway_platform: RunningPlatform
) -> None:
    body = signup_body()
    with world.client() as client:
        squatter = ok(sign_up(client, body, fresh_address()))
        firm_id, key = squatter["enterprise"]["enterprise_id"], squatter["credential"]["api_key"]
        rejected = ok(_decide(client, world, firm_id, "reject"), 200)
        assert (rejected["status"], rejected["version"]) == ("REJECTED", 2)
        _problem(client.get("/v1/me", headers={"X-API-Key": key}), 401, None)
        _problem(_decide(client, world, firm_id, "verify"), 409, None)  # final
        # Nor can the office hand it a new key, which would undo the revocation.
        new_key = {"principal_type": "enterprise", "principal_id": firm_id}
        _problem(post(client, "/v1/credentials", world.operator_key, new_key), 409, "principal_id")
        real = ok(sign_up(client, body, fresh_address()))
        assert real["enterprise"]["enterprise_id"] != firm_id
    assert _live_keys(gateway_platform, firm_id) == 0


def test_deregistration_and_stale_or_illegal_decisions(
    world: World, gateway_platform: RunningPlatform
) -> None:
    with world.client() as client:
        signed = ok(sign_up(client, signup_body(), fresh_address()))
        firm_id, key = signed["enterprise"]["enterprise_id"], signed["credential"]["api_key"]
        _problem(_decide(client, world, firm_id, "deregister"), 409, None)  # not ACTIVE yet
        stale = _decide(client, world, firm_id, "verify", expected_version=7)
        _problem(stale, 409, "expected_version")
        ok(_decide(client, world, firm_id, "verify", expected_version=1), 200)
        _problem(_decide(client, world, firm_id, "reject"), 409, None)  # no longer pending
        gone = ok(_decide(client, world, firm_id, "deregister", expected_version=2), 200)
        assert (gone["status"], gone["version"]) == ("DEREGISTERED", 3)
        _problem(client.get("/v1/me", headers={"X-API-Key": key}), 401, None)
        _problem(_decide(client, world, "not-an-id", "verify"), 404, None)
        _problem(_decide(client, world, firm_id, "verify", reason=""), 422, "reason")
    assert _live_keys(gateway_platform, firm_id) == 0


def test_operator_decision_retry_replays(world: World) -> None:
    idem = str(uuid.uuid4())
    with world.client() as client:
        firm_id = ok(sign_up(client, signup_body(), fresh_address()))["enterprise"]["enterprise_id"]
        path = f"/v1/enterprises/{firm_id}/verify"
        first = post(client, path, world.operator_key, {"reason": "核验"}, idem)
        again = post(client, path, world.operator_key, {"reason": "核验"}, idem)
        other = post(client, path, world.operator_key, {"reason": "别的"}, idem)
    assert first.status_code == 200 and again.content == first.content
    assert again.headers.get("idempotent-replayed") == "true"
    _problem(other, 422, "Idempotency-Key")


def test_a_rerun_sign_up_replaces_only_its_own_unseen_key(
    world: World, gateway_platform: RunningPlatform
) -> None:
    """What a sign-up that crashed after issuing its key does on the retry: the key
    nobody saw is revoked, a key the office issued to the enterprise is not."""
    with world.client() as client:
        signed = ok(sign_up(client, signup_body(), fresh_address()))
        firm_id = signed["enterprise"]["enterprise_id"]
        office = ok(
            post(
                client,
                "/v1/credentials",
                world.operator_key,
                {"principal_type": "enterprise", "principal_id": firm_id},
            )
        )

    async def rerun() -> str:
        pool = await asyncpg.create_pool(gateway_platform.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            return (await issue_self_registration_key(pool, firm_id)).api_key
        finally:
            await pool.close()

    new_key = asyncio.run(rerun())
    with world.client() as client:
        _problem(
            client.get("/v1/me", headers={"X-API-Key": signed["credential"]["api_key"]}), 401, None
        )
        for key in (new_key, office["api_key"]):
            assert (
                client.get("/v1/me", headers={"X-API-Key": key}).json()["principal_id"] == firm_id
            )
    assert _live_keys(gateway_platform, firm_id) == 2


SPELLINGS = {"upper case": str.upper, "braces": lambda s: "{" + s + "}"}


@pytest.mark.parametrize("spelling", SPELLINGS.values(), ids=SPELLINGS.keys())
def test_rejecting_or_deregistering_by_another_spelling_of_the_id_revokes_the_keys(
    world: World, gateway_platform: RunningPlatform, spelling: Any
) -> None:
    """The members service takes any spelling of a UUID; the keys are stored under
    the canonical one, and revoking by the path as spelled left them working."""
    with world.client() as client:
        for decisions in (["reject"], ["verify", "deregister"]):
            signed = ok(sign_up(client, signup_body(), fresh_address()))
            firm_id = signed["enterprise"]["enterprise_id"]
            for action in decisions:
                ok(_decide(client, world, spelling(firm_id), action), 200)
            me = client.get("/v1/me", headers={"X-API-Key": signed["credential"]["api_key"]})
            _problem(me, 401, None)
            assert _live_keys(gateway_platform, firm_id) == 0
