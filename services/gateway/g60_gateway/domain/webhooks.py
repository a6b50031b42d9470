"""Webhook rules: which banks an event concerns, how deliveries are signed, and when
a failed delivery is retried. Pure Python; the adapters do the I/O."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from dataclasses import dataclass

SIGNATURE_VERSION = "v1"

# Event types a bank can receive. Approvals and rejections go to the deciding bank too:
# with matchmaking, the other addressed banks learn an application is gone.
WEBHOOK_EVENT_TYPES = frozenset(
    {
        "FinancingApplied",
        "FinancingWithdrawn",
        "FinancingApproved",
        "FinancingRejected",
        "FinancingClosed",
        "FundsDisbursed",
        "LoanRepaid",
    }
)


@dataclass(frozen=True)
class EventForRouting:
    event_type: str
    bank_id: str  # the bank named in the event's parties, if any
    target_bank_ids: tuple[str, ...]  # addressed banks (FinancingApplied)
    remembered_targets: tuple[str, ...]  # addressed banks recalled for later events


def banks_to_notify(event: EventForRouting) -> set[str]:
    if event.event_type not in WEBHOOK_EVENT_TYPES:
        return set()
    banks = {event.bank_id} if event.bank_id else set()
    if event.event_type == "FinancingApplied":
        banks |= set(event.target_bank_ids)
    if event.event_type in ("FinancingWithdrawn", "FinancingApproved"):
        banks |= set(event.remembered_targets)
    return banks


def signature(secret: str, timestamp_s: int, body: bytes) -> str:
    """HMAC-SHA256 over `<timestamp>.<body>`: the timestamp is signed, so a captured
    delivery cannot be replayed later with a fresh timestamp."""
    mac = hmac.new(secret.encode(), f"{timestamp_s}.".encode() + body, hashlib.sha256)
    return f"{SIGNATURE_VERSION}={mac.hexdigest()}"


def verify(secret: str, timestamp_s: int, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp_s, body), header)


def backoff_s(attempts: int, base_s: float, max_s: float) -> float:
    """Exponential: base, 2·base, 4·base, … capped at max_s."""
    assert attempts >= 1
    return float(min(max_s, base_s * 2 ** min(attempts - 1, 30)))


LOCAL_HOST_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_public_address(address: str) -> bool:
    """Only globally routable unicast addresses may receive webhooks: a bank's URL must
    never make the gateway call loopback, private, link-local (cloud metadata) or
    reserved addresses inside the alliance's network."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def literal_target_refusal(host: str) -> str | None:
    """Why a URL host is refused before any lookup (an address literal or a local name)."""
    name = host.strip("[]").rstrip(".").lower()
    if name in LOCAL_HOST_NAMES or name.endswith(".localhost"):
        return "must not point at this host"
    try:
        public = is_public_address(name)
    except ValueError:
        return None  # a DNS name: checked against its addresses at delivery time
    return None if public else "must be a public address"
