"""Webhook rules: which banks an event concerns, how deliveries are signed, and when
a failed delivery is retried. Pure Python; the adapters do the I/O."""

from __future__ import annotations

import hashlib
import hmac
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
