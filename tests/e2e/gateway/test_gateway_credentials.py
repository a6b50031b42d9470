"""Keys are issued only for principals that exist, by the route and by the CLI alike:
a bank key for a member institution of type BANK, a guarantor key for one of type
GUARANTEE, an enterprise key for an enterprise, each named by its UUID and stored in
canonical form, so the key's holder reads back what it writes, whatever spelling of its
id it uses. Scopes are checked when a key is issued."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import asyncpg
import pytest

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.test_gateway_limits import _assert_problem, _cli, _line
from tests.e2e.gateway.world import HEFEI, World, new_bank, ok, post

pytestmark = pytest.mark.e2e

REFUSED: list[tuple[str, str, Callable[[World], str]]] = [
    ("garbage", "bank", lambda w: "garbage"),
    ("unknown uuid", "bank", lambda w: str(uuid.uuid4())),
    ("enterprise as bank", "bank", lambda w: w.sme_a.id),
    ("bank as enterprise", "enterprise", lambda w: w.bank_a.id),
    ("bank as guarantor", "guarantor", lambda w: w.bank_a.id),
    ("guarantor as bank", "bank", lambda w: w.guar_a.id),
    ("enterprise as guarantor", "guarantor", lambda w: w.sme_a.id),
]


@pytest.mark.parametrize(("case", "kind", "principal"), REFUSED, ids=[c[0] for c in REFUSED])
def test_a_key_for_no_such_principal_is_422_naming_principal_id(
    world: World, case: str, kind: str, principal: Callable[[World], str]
) -> None:
    body = {"principal_type": kind, "principal_id": principal(world)}
    with world.client() as client:
        reply = post(client, "/v1/credentials", world.operator_key, body)
    _assert_problem(reply, 422, "principal_id")


SPELLINGS: list[Callable[[str], str]] = [str.upper, lambda s: "{" + s + "}"]


@pytest.mark.parametrize("spelling", SPELLINGS, ids=["upper case", "braces"])
def test_another_spelling_of_a_banks_id_is_stored_canonical(
    world: World, spelling: Callable[[str], str]
) -> None:
    """Stored as spelled, such a key registered lines under that spelling as bank_id,
    which its own reads (by canonical id) then never found."""
    with world.client() as client:
        bank = new_bank(client, world.operator_key, HEFEI)
        body = {"principal_type": "bank", "principal_id": spelling(bank.id)}
        key = ok(post(client, "/v1/credentials", world.operator_key, body))["api_key"]
        headers = {"X-API-Key": key}
        assert client.get("/v1/me", headers=headers).json()["principal_id"] == bank.id
        line = ok(post(client, "/v1/credit-lines", key, _line(world)))
        assert line["bank_id"] == bank.id
        read = client.get(f"/v1/credit-lines/{line['credit_line_id']}", headers=headers)
        assert read.status_code == 200, read.text


def test_the_cli_refuses_unknown_principals_and_stores_canonical_ids(
    world: World, gateway_platform: RunningPlatform
) -> None:
    for kind, principal in (("bank", "garbage"), ("bank", world.sme_a.id)):
        refused = _cli(gateway_platform, "issue", "--type", kind, "--principal", principal)
        assert refused.returncode != 0 and "--principal" in refused.stderr, refused
    spelled = world.bank_b.id.upper()
    issued = _cli(gateway_platform, "issue", "--type", "bank", "--principal", spelled)
    assert issued.returncode == 0, issued.stderr
    with world.client() as client:
        me = client.get("/v1/me", headers={"X-API-Key": issued.stdout.strip()}).json()
    assert me["principal_id"] == world.bank_b.id


@pytest.mark.parametrize("spelling", SPELLINGS, ids=["upper case", "braces"])
def test_a_bank_and_an_sme_read_their_own_record_in_any_spelling(
    world: World, spelling: Callable[[str], str]
) -> None:
    """The key holds the canonical id; comparing it with the path as spelled was 404."""
    with world.client() as client:
        for path, party, field in (
            ("/v1/members", world.bank_a, "member_id"),
            ("/v1/enterprises", world.sme_a, "enterprise_id"),
        ):
            own = client.get(f"{path}/{spelling(party.id)}", headers={"X-API-Key": party.key})
            assert own.status_code == 200, own.text
            assert own.json()[field] == party.id
        other = client.get(
            f"/v1/members/{spelling(world.bank_b.id)}", headers={"X-API-Key": world.bank_a.key}
        )
        _assert_problem(other, 404, None)


BAD_SCOPES = [["rate_per_s=1e-320"], ["rate_per_s=abc"], ["rate_per_s="], [""], ["a b"]]


@pytest.mark.parametrize("scopes", BAD_SCOPES, ids=[repr(s) for s in BAD_SCOPES])
def test_scopes_a_key_cannot_carry_are_422_naming_scopes(world: World, scopes: list[str]) -> None:
    body = {"principal_type": "bank", "principal_id": world.bank_a.id, "scopes": scopes}
    with world.client() as client:
        _assert_problem(post(client, "/v1/credentials", world.operator_key, body), 422, "scopes")


def test_an_operator_key_needs_a_label(world: World) -> None:
    body = {"principal_type": "operator", "principal_id": ""}
    with world.client() as client:
        reply = post(client, "/v1/credentials", world.operator_key, body)
    _assert_problem(reply, 422, "principal_id")


def test_the_cli_refuses_bad_scopes(world: World, gateway_platform: RunningPlatform) -> None:
    for scope in ("rate_per_s=abc", "rate_per_s=1e-320"):
        args = ("issue", "--type", "bank", "--principal", world.bank_a.id, "--scope", scope)
        refused = _cli(gateway_platform, *args)
        assert refused.returncode != 0 and "--scope" in refused.stderr, refused


def test_a_key_stored_with_a_tiny_rate_gets_429_with_a_bounded_retry_after(
    world: World, gateway_platform: RunningPlatform
) -> None:
    """A key issued before scopes were checked: its rate is clamped, and Retry-After
    can no longer overflow (every request after the burst was a 500)."""
    with world.client() as client:
        issued = post(
            client,
            "/v1/credentials",
            world.operator_key,
            {"principal_type": "operator", "principal_id": "legacy-loader"},
        )
        key = ok(issued)["api_key"]
        _set_scopes(gateway_platform, key.split("_")[1], ["rate_per_s=1e-320"])
        replies = [client.get("/v1/me", headers={"X-API-Key": key}) for _ in range(110)]
    assert {r.status_code for r in replies} == {200, 429}, {r.status_code for r in replies}
    limited = [r for r in replies if r.status_code == 429]
    assert all(1 <= int(r.headers["retry-after"]) <= 3600 for r in limited)


def _set_scopes(running: RunningPlatform, key_id: str, scopes: list[str]) -> None:
    async def update() -> None:
        conn = await asyncpg.connect(running.platform.env["G60_GATEWAY_PG_DSN"])
        try:
            await conn.execute(
                "UPDATE api_credentials SET scopes = $2 WHERE key_id = $1", key_id, scopes
            )
        finally:
            await conn.close()

    asyncio.run(update())
