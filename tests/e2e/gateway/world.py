"""Two banks, two SMEs and two guarantee companies in two cities, each with its own
objects, built through the gateway like any client would. Each side's line is
half-guaranteed by its side's guarantee company."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from g60common.uscc import make_uscc

from tests.e2e.conftest import RunningPlatform
from tests.e2e.gateway.receiver import Receiver

HEFEI, SUZHOU = "340100", "320500"
WEBHOOK_SECRET = "s3cret-for-tests-0123456789"
GUARANTOR_CAPACITY_FEN = 10_000_000_000
HALF_COVER_BP = 5_000


@dataclass(frozen=True)
class Party:
    id: str
    key: str
    key_id: str


@dataclass
class World:
    url: str
    operator_key: str
    bank_a: Party
    bank_b: Party
    sme_a: Party
    sme_b: Party
    guar_a: Party  # backs line_a
    guar_b: Party  # backs line_b
    line_a: str
    line_b: str
    app_a: str  # sme_a -> bank_a, still SUBMITTED
    app_b: str  # sme_b -> bank_b, still SUBMITTED
    hook_a: str  # bank_a's webhook (flaky receiver path)
    hook_b: str
    hook_sme_a: str  # sme_a's webhook

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=15)

    def parties(self) -> dict[str, Party]:
        return {
            "bank_a": self.bank_a,
            "bank_b": self.bank_b,
            "sme_a": self.sme_a,
            "sme_b": self.sme_b,
            "guar_a": self.guar_a,
            "guar_b": self.guar_b,
        }


def post(
    client: httpx.Client, path: str, key: str | None, body: Any, idem: str | None = None
) -> httpx.Response:
    headers = {"Idempotency-Key": idem or str(uuid.uuid4())}
    if key:
        headers["X-API-Key"] = key
    return client.post(path, json=body, headers=headers)


def ok(reply: httpx.Response, status: int = 201) -> dict[str, Any]:
    assert reply.status_code == status, reply.text
    return dict(reply.json())


def get_ok(client: httpx.Client, path: str, key: str) -> dict[str, Any]:
    """GET as the key's holder; the body of the 200 it must be."""
    return ok(client.get(path, headers={"X-API-Key": key}), 200)


_serial = iter(range(1, 10_000))


def uscc(city: str) -> str:
    return make_uscc(f"91{city}MA{uuid.uuid4().int % 10**7:07d}"[:17])


def new_bank(client: httpx.Client, op: str, city: str) -> Party:
    return _key(client, op, "bank", _member(client, op, city, "BANK", "测试银行"))


def new_guarantor(
    client: httpx.Client, op: str, city: str, capacity_fen: int = GUARANTOR_CAPACITY_FEN
) -> Party:
    """A guarantee company with its key, and (when `capacity_fen`) a capacity set."""
    guarantor_id = _member(client, op, city, "GUARANTEE", "测试融资担保公司")
    if capacity_fen:
        path = f"/v1/guarantors/{guarantor_id}/capacity"
        ok(post(client, path, op, {"capacity_fen": capacity_fen}), 200)
    return _key(client, op, "guarantor", guarantor_id)


def _member(client: httpx.Client, op: str, city: str, kind: str, name: str) -> str:
    member = ok(
        post(
            client,
            "/v1/members",
            op,
            {
                "name": f"{name}{next(_serial)}",
                "institution_type": kind,
                "home_city": city,
                "uscc": uscc(city),
            },
        )
    )
    return str(member["member_id"])


def new_sme(client: httpx.Client, op: str, city: str) -> Party:
    sme = ok(
        post(
            client,
            "/v1/enterprises",
            op,
            {
                "name": f"测试企业{next(_serial)}",
                "uscc": uscc(city),
                "city": city,
                "industry": "INTEGRATED_CIRCUITS",
                "size_class": "SMALL",
            },
        )
    )
    return _key(client, op, "enterprise", sme["enterprise_id"])


def _key(client: httpx.Client, op: str, kind: str, principal: str) -> Party:
    issued = ok(
        post(
            client,
            "/v1/credentials",
            op,
            {
                "principal_type": kind,
                "principal_id": principal,
                "scopes": ["rate_per_s=1000"],
            },
        )
    )
    return Party(principal, issued["api_key"], issued["key_id"])


def new_line(
    client: httpx.Client,
    bank: Party,
    sme: Party,
    limit_fen: int = 100_000_000,
    guarantor: Party | None = None,
) -> str:
    """A line from `bank` to `sme`, half-guaranteed by `guarantor` when given."""
    guarantee = {"guarantor_id": guarantor.id, "cover_ratio_bp": HALF_COVER_BP} if guarantor else {}
    return str(
        ok(
            post(
                client,
                "/v1/credit-lines",
                bank.key,
                {
                    "enterprise_id": sme.id,
                    "limit_fen": limit_fen,
                    "product": "GUARANTEE_BACKED" if guarantor else "TECHNOLOGY_LOAN",
                    "valid_from": "2026-01-01",
                    "valid_to": "2027-12-31",
                    **guarantee,
                },
            )
        )["credit_line_id"]
    )


def new_application(
    client: httpx.Client, sme: Party, bank: Party | None, fen: int = 1_000_000
) -> str:
    return str(
        ok(
            post(
                client,
                "/v1/applications",
                sme.key,
                {
                    "bank_id": bank.id if bank else "",
                    "amount_fen": fen,
                    "term_months": 12,
                    "purpose": "流动资金",
                },
            )
        )["application_id"]
    )


def new_webhook(client: httpx.Client, owner: Party, receiver: Receiver, path: str) -> str:
    receiver.secrets[path] = WEBHOOK_SECRET
    return str(
        ok(
            post(
                client,
                "/v1/webhooks",
                owner.key,
                {
                    "url": receiver.url(path),
                    "secret": WEBHOOK_SECRET,
                },
            )
        )["webhook_id"]
    )


def build_world(running: RunningPlatform, receiver: Receiver) -> World:
    op = running.operator_key
    with httpx.Client(base_url=running.platform.gateway_url, timeout=15) as client:
        bank_a, bank_b = new_bank(client, op, HEFEI), new_bank(client, op, SUZHOU)
        sme_a, sme_b = new_sme(client, op, HEFEI), new_sme(client, op, SUZHOU)
        guar_a, guar_b = new_guarantor(client, op, HEFEI), new_guarantor(client, op, SUZHOU)
        hook_a = new_webhook(client, bank_a, receiver, "/bank-a/flaky")
        hook_b = new_webhook(client, bank_b, receiver, "/bank-b")
        hook_sme_a = new_webhook(client, sme_a, receiver, "/sme-a")
        return World(
            url=running.platform.gateway_url,
            operator_key=op,
            bank_a=bank_a,
            bank_b=bank_b,
            sme_a=sme_a,
            sme_b=sme_b,
            guar_a=guar_a,
            guar_b=guar_b,
            line_a=new_line(client, bank_a, sme_a, guarantor=guar_a),
            line_b=new_line(client, bank_b, sme_b, guarantor=guar_b),
            app_a=new_application(client, sme_a, bank_a),
            app_b=new_application(client, sme_b, bank_b),
            hook_a=hook_a,
            hook_b=hook_b,
            hook_sme_a=hook_sme_a,
        )


def wait_for(check: Callable[[], bool], timeout_s: float) -> None:
    """Poll `check` every 0.2 s until it holds; fail the test after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError("condition not met in time")
