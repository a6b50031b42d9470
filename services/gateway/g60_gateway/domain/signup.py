"""Public self-registration of SMEs: who is asking, for rate limiting and idempotency.

An anonymous caller has no credential to hang a rate limit or an Idempotency-Key on,
so both are scoped to the client address. IPv6 clients are grouped by /64, the block
one subscriber usually gets, so rotating addresses inside it buys no extra attempts."""

from __future__ import annotations

import ipaddress

SIGNUP_SCOPE_PREFIX = "signup:"
SIGNUP_CALLER_TYPE = "signup"
# The credential a sign-up gets: an enterprise key like any other (the principal type
# decides the routes), marked so a retried sign-up replaces its own key only.
SELF_REGISTERED_SCOPE = "self-registered"
_IPV6_SUBSCRIBER_PREFIX = 64
_MAX_UNPARSED_CHARS = 64


def client_address(host: str | None) -> str:
    """The address a sign-up is counted against: IPv4 as is, IPv6 as its /64."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:_MAX_UNPARSED_CHARS]  # not an IP (a test client, a unix socket)
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, _IPV6_SUBSCRIBER_PREFIX), strict=False)
        return str(network)
    return str(address)


def signup_scope(address: str) -> str:
    """The idempotency and rate-limit key of one client address. Real key ids are hex,
    so the prefix keeps the two namespaces apart."""
    return f"{SIGNUP_SCOPE_PREFIX}{address}"
