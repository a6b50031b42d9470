"""Keys are issued only for principals that exist, by the route and by the CLI alike:
a bank key for a member institution of type BANK, an enterprise key for an
enterprise, each named by its UUID and stored in canonical form, so the key's
holder reads back what it writes."""

from __future__ import annotations

import uuid
from collections.abc import Callable

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
