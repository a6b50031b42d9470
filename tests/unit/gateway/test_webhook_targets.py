"""Webhook targets: a bank's URL must never make the gateway call inside the network,
and must be one a delivery can use at all. Webhook secrets must be secret."""

from __future__ import annotations

import socket

import pytest
from g60_gateway.adapters import webhook_worker
from g60_gateway.adapters.webhook_worker import TargetRefused, WebhookWorker, pinned
from g60_gateway.config import GatewaySettings
from g60_gateway.domain.webhooks import is_public_address, literal_target_refusal
from g60_gateway.entrypoints.bodies import RegisterWebhookBody
from g60_gateway.entrypoints.problems import Problem
from g60_gateway.entrypoints.routes_webhooks import _check_url
from pydantic import ValidationError


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fc00::1",
        "fe80::1",
        "0.0.0.0",
        "100.64.0.1",
        "224.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["1.1.1.1", "2001:4860:4860::8888"])
def test_global_unicast_is_public(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize(
    "host", ["localhost", "LOCALHOST.", "api.localhost", "127.0.0.1", "[::1]", "10.0.0.5"]
)
def test_local_names_and_internal_literals_are_refused_up_front(host: str) -> None:
    assert literal_target_refusal(host) is not None


def test_dns_names_and_public_literals_wait_for_resolution() -> None:
    assert literal_target_refusal("hooks.bank.example") is None
    assert literal_target_refusal("1.1.1.1") is None


@pytest.mark.parametrize(
    ("url", "address", "sent_to", "host", "sni"),
    [
        (
            "https://hooks.bank.example/g60?x=1",
            "93.184.216.34",
            "https://93.184.216.34/g60?x=1",
            "hooks.bank.example",
            "hooks.bank.example",
        ),
        (
            "http://hooks.bank.example:8080/in",
            "2001:db8::5",
            "http://[2001:db8::5]:8080/in",
            "hooks.bank.example:8080",
            None,
        ),
    ],
)
def test_a_delivery_connects_to_the_checked_address_under_the_bank_s_name(
    url: str, address: str, sent_to: str, host: str, sni: str | None
) -> None:
    """No second DNS answer between the check and the connection: the request goes to
    the address that was checked, while Host (and TLS SNI, for the certificate check)
    keep the name the bank registered."""
    target, headers, extensions = pinned(url, address)
    assert str(target) == sent_to
    assert headers == {"host": host}
    assert extensions.get("sni_hostname") == sni


UNUSABLE_URLS = [
    # httpx, which sends every attempt, cannot parse these (they were 500s)
    "http://example.com:abc/",
    "http://[zz]/",
    "http://[::1/",
    "https://xn--zz.com/",
    "http://0177.0.0.1/",
    # parsed, but no connection can use them
    "http:///path",
    "http://:80/",
    "http://example.com:99999/",
    "http://example.com:0/",
    "http://%zz/",
    "http://./",
    "http://" + "a" * 254 + "/",
    "http://" + ".".join(["a" * 63] * 4) + "/",  # 255 characters
    "http://" + "b" * 64 + ".example/",
    "http://-bank.example/",
    "http://1.2.3/",
    "http://0x7f.0.0.1/",
    "http://hooks.example.123/",
    # credentials in the URL
    "https://user:pass@hooks.bank.example/",
    "https://token@hooks.bank.example/",
]


@pytest.mark.parametrize("url", UNUSABLE_URLS)
@pytest.mark.parametrize("allow_private", [True, False])
def test_urls_no_delivery_could_use_are_422_naming_url(url: str, allow_private: bool) -> None:
    """Refused whatever the private-target setting: the local stack allows private
    addresses, not broken URLs."""
    with pytest.raises(Problem) as caught:
        _check_url(url, allow_private)
    assert caught.value.status == 422
    assert [e["field"] for e in caught.value.errors] == ["url"]


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.bank.example/g60?x=1",
        "https://hooks.bank.example./g60",  # fully qualified
        "http://hooks.bank.example:8080/in",
        "https://xn--nxasmq6b.com/",  # a valid A-label
        "https://my_hooks.bank.example/",
        "http://1.1.1.1:443/",
        "http://[2001:4860:4860::8888]/",
        "https://" + ".".join(["a" * 63] * 3) + "." + "b" * 61 + "/",  # 253 characters
    ],
)
def test_deliverable_public_urls_are_taken(url: str) -> None:
    _check_url(url, allow_private=False)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/", "http://[::1]:80/", "http://localhost/"])
def test_internal_targets_stay_refused_unless_the_stack_allows_them(url: str) -> None:
    with pytest.raises(Problem):
        _check_url(url, allow_private=False)
    _check_url(url, allow_private=True)


@pytest.mark.parametrize("secret", [" " * 16, "\t" * 16, " \t" * 10, "abc" + " " * 20])
def test_a_secret_of_mostly_whitespace_is_422_naming_secret(secret: str) -> None:
    """Sixteen spaces passed the length check, and anyone can sign with them."""
    with pytest.raises(ValidationError) as caught:
        RegisterWebhookBody.model_validate({"url": "https://hooks.bank.example/", "secret": secret})
    assert [e["loc"] for e in caught.value.errors()] == [("secret",)]


def test_a_secret_with_inner_spaces_is_taken() -> None:
    secret = "correct horse battery staple"
    body = {"url": "https://hooks.bank.example/", "secret": secret}
    assert RegisterWebhookBody.model_validate(body).secret == secret


def _worker() -> WebhookWorker:
    return WebhookWorker(None, GatewaySettings.from_env({}))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "resolves_to",
    [["10.0.0.5"], ["1.1.1.1", "10.0.0.5"], socket.gaierror(-2, "Name or service not known")],
)
async def test_a_refused_target_tells_the_bank_nothing_of_the_internal_network(
    monkeypatch: pytest.MonkeyPatch, resolves_to: list[str] | OSError
) -> None:
    """The refusal lands in the bank's delivery log. It must not list the private
    addresses a name resolves to inside the alliance's network, nor tell a name that
    resolves internally from one that does not resolve at all."""

    async def resolve(host: str, port: int) -> set[str]:
        if isinstance(resolves_to, OSError):
            raise resolves_to
        return set(resolves_to)

    monkeypatch.setattr(webhook_worker, "_resolved_addresses", resolve)
    with pytest.raises(TargetRefused) as refused:
        await _worker()._check_target("https://db.internal.example/hook")
    assert str(refused.value) == "url host does not resolve to public addresses only"
