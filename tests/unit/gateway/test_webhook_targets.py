"""Webhook targets: a bank's URL must never make the gateway call inside the network."""

from __future__ import annotations

import pytest
from g60_gateway.adapters.webhook_worker import pinned
from g60_gateway.domain.webhooks import is_public_address, literal_target_refusal


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
