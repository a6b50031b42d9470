"""Webhook registrations on the real stack: URLs no delivery could use and blank
secrets are refused, the per-bank cap holds under concurrent registrations, the list
shows every live webhook, and a deleted webhook is sent nothing again while its
delivery log stays readable."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.e2e.gateway.receiver import Receiver
from tests.e2e.gateway.test_gateway_limits import _assert_problem
from tests.e2e.gateway.world import (
    SUZHOU,
    WEBHOOK_SECRET,
    Party,
    World,
    new_application,
    new_bank,
    ok,
    post,
    wait_for,
)
from tests.unit.gateway.test_webhook_targets import UNUSABLE_URLS

pytestmark = pytest.mark.e2e
CAP = 20


def _register(client: httpx.Client, bank: Party, url: str, secret: str = WEBHOOK_SECRET) -> Any:
    return post(client, "/v1/webhooks", bank.key, {"url": url, "secret": secret})


@pytest.mark.parametrize("url", UNUSABLE_URLS)
def test_a_url_no_delivery_could_use_is_422_naming_url(world: World, url: str) -> None:
    with world.client() as client:
        _assert_problem(_register(client, world.bank_b, url), 422, "url")


@pytest.mark.parametrize("secret", [" " * 16, "\t" * 16])
def test_a_blank_secret_is_422_naming_secret(world: World, secret: str) -> None:
    with world.client() as client:
        reply = _register(client, world.bank_b, "https://hooks.bank.example/", secret)
    _assert_problem(reply, 422, "secret")


def _live_hooks(client: httpx.Client, bank: Party, page_size: int = 50) -> list[str]:
    found: list[str] = []
    token = ""
    while True:
        params: dict[str, Any] = {"page_size": page_size, "page_token": token}
        page = client.get("/v1/webhooks", params=params, headers={"X-API-Key": bank.key})
        assert page.status_code == 200, page.text
        found += [h["webhook_id"] for h in page.json()["webhooks"]]
        token = page.json()["next_page_token"]
        if not token:
            return found


def test_the_cap_holds_under_concurrent_registrations_and_the_list_shows_all(
    world: World, receiver: Receiver
) -> None:
    """Counted without a lock, 12 concurrent registrations on top of 16 made 22."""
    with world.client() as client:
        bank = new_bank(client, world.operator_key, SUZHOU)
        for n in range(16):
            ok(_register(client, bank, receiver.url(f"/cap/{n}")))

    def register(n: int) -> httpx.Response:
        with world.client() as own:
            return _register(own, bank, receiver.url(f"/cap/racing/{n}"))

    with ThreadPoolExecutor(max_workers=12) as pool:
        replies = list(pool.map(register, range(12)))
    assert sorted(r.status_code for r in replies) == [201] * 4 + [422] * 8, [
        r.text for r in replies
    ]
    for refused in (r for r in replies if r.status_code == 422):
        _assert_problem(refused, 422, "url")
    with world.client() as client:
        listed = _live_hooks(client, bank)
        assert len(listed) == CAP and len(set(listed)) == CAP
        assert _live_hooks(client, bank, page_size=7) == listed  # pages of 7, 7 and 6
    _assert_problem(
        world.client().get(
            "/v1/webhooks", params={"page_token": "1"}, headers={"X-API-Key": bank.key}
        ),
        422,
        "page_token",
    )


def _wait_for(check: Callable[[], bool]) -> None:
    wait_for(check, timeout_s=30.0)


def _deliveries(client: httpx.Client, bank: Party, hook: str) -> list[dict[str, Any]]:
    reply = client.get(f"/v1/webhooks/{hook}/deliveries", headers={"X-API-Key": bank.key})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["deliveries"])


def _received(receiver: Receiver, path: str) -> int:
    return len([r for r in receiver.all() if r.path == path])


def test_a_deleted_webhook_keeps_its_log_and_is_sent_nothing_again(
    world: World, receiver: Receiver
) -> None:
    """Redelivery to a deleted webhook answered 202 and sent the event again, while its
    delivery log, documented as readable, was 404."""
    delivered, refusing = "/deleted/delivered", "/deleted/refusing"
    receiver.secrets[delivered] = WEBHOOK_SECRET  # no secret for `refusing`: 401 each time
    with world.client() as client:
        bank = new_bank(client, world.operator_key, SUZHOU)
        hooks = {
            path: ok(_register(client, bank, receiver.url(path)))["webhook_id"]
            for path in (delivered, refusing)
        }
        new_application(client, world.sme_b, bank)
        _wait_for(
            lambda: any(
                d["status"] == "DELIVERED" for d in _deliveries(client, bank, hooks[delivered])
            )
        )
        _wait_for(lambda: _received(receiver, refusing) >= 1)
        for hook in hooks.values():
            assert (
                client.delete(f"/v1/webhooks/{hook}", headers={"X-API-Key": bank.key}).status_code
                == 204
            )
        time.sleep(1.0)  # an attempt already in flight may still land
        seen = {path: _received(receiver, path) for path in hooks}

        log = _deliveries(client, bank, hooks[delivered])
        assert [d["status"] for d in log] == ["DELIVERED"]
        redeliver = f"/v1/webhooks/{hooks[delivered]}/deliveries/{log[0]['delivery_id']}/redeliver"
        again = post(client, redeliver, bank.key, None)
        _assert_problem(again, 409, None)
        assert "deleted" in again.json()["detail"]
        unknown = f"/v1/webhooks/{hooks[delivered]}/deliveries/999999999/redeliver"
        _assert_problem(post(client, unknown, bank.key, None), 404, None)

        pending = _deliveries(client, bank, hooks[refusing])
        assert [d["status"] for d in pending] == ["FAILED"], pending
        gone = client.get(f"/v1/webhooks/{hooks[delivered]}", headers={"X-API-Key": bank.key})
        _assert_problem(gone, 404, None)
        new_application(client, world.sme_b, bank)  # a new event for the bank
        time.sleep(3.0)  # retries run every 0.2 to 1 s here
        assert {path: _received(receiver, path) for path in hooks} == seen
        assert len(_deliveries(client, bank, hooks[delivered])) == 1
