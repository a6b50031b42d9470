"""Webhook rules: which banks, guarantee companies and SMEs an event concerns, what each
is sent, how deliveries are signed, and when a failed delivery is retried. Pure Python;
the adapters do the I/O."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

SIGNATURE_VERSION = "v1"
# The credit service's aggregate type of financing applications (their events' envelope).
APPLICATION_AGGREGATE = "FinancingApplication"

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
        "LoanOverdue",
        "LoanDueSoon",
        "LoanExtended",
        "LoanReclassified",
        "LoanCompensated",
    }
)


# What a guarantee company hears of the loans on lines it backs: its exposure moves
# (drawn, repaid, compensated by itself), runs longer (extended) or is at risk (due soon,
# overdue, classified worse). Never the decisions before the loan.
GUARANTOR_EVENT_TYPES = frozenset(
    {
        "FundsDisbursed",
        "LoanRepaid",
        "LoanDueSoon",
        "LoanExtended",
        "LoanOverdue",
        "LoanReclassified",
        "LoanCompensated",
    }
)


# What an SME (企业) hears of its own applications and loans: every change of status
# it reads on `GET /v1/applications/{id}`, its own applying and withdrawing included
# (a bank hears its own decisions too, so one feed tells the whole story), and the
# loan's money, its due date (the borrower is who a due-soon reminder is for; an
# extension moves the date it must repay by), overdue mark and risk class (it reads
# `risk_class` on its loan). A decline only once it is final (see `enterprise_to_notify`).
ENTERPRISE_EVENT_TYPES = frozenset(
    {
        "FinancingApplied",
        "FinancingWithdrawn",
        "FinancingApproved",
        "FinancingRejected",
        "FinancingClosed",
        "FundsDisbursed",
        "LoanRepaid",
        "LoanDueSoon",
        "LoanExtended",
        "LoanOverdue",
        "LoanReclassified",
        "LoanCompensated",
    }
)
# The SME's own actions: their correlation id is the SME's own request's.
ENTERPRISE_ACTIONS = frozenset({"FinancingApplied", "FinancingWithdrawn"})
# Events whose `reason` is a bank's (a decline, a close): the credit service shows an
# applicant neither, on any read.
_BANK_REASON_EVENTS = frozenset({"FinancingRejected", "FinancingClosed"})


class OwnerKind(StrEnum):
    """Who keeps a webhook. Banks and guarantee companies are member institutions, with
    ids from one register; enterprises have a register of their own, so an owner is
    always named with its kind."""

    MEMBER = "member"
    ENTERPRISE = "enterprise"


@dataclass(frozen=True, order=True)
class Recipient:
    kind: OwnerKind
    owner_id: str


@dataclass(frozen=True)
class EventForRouting:
    event_type: str
    bank_id: str  # the bank named in the event's parties, if any
    target_bank_ids: tuple[str, ...]  # addressed banks (FinancingApplied)
    remembered_targets: tuple[str, ...]  # addressed banks recalled for later events
    guarantor_id: str = ""  # the guarantee company behind the loan's line, if any
    enterprise_id: str = ""  # the applying SME, from the event's parties
    final_decline: bool = False  # FinancingRejected: every addressed bank has declined


def banks_to_notify(event: EventForRouting) -> set[str]:
    if event.event_type not in WEBHOOK_EVENT_TYPES:
        return set()
    banks = {event.bank_id} if event.bank_id else set()
    if event.event_type == "FinancingApplied":
        banks |= set(event.target_bank_ids)
    if event.event_type in ("FinancingWithdrawn", "FinancingApproved"):
        banks |= set(event.remembered_targets)
    return banks


def guarantor_to_notify(event: EventForRouting) -> str:
    """The guarantee company to send the event to, or ""."""
    return event.guarantor_id if event.event_type in GUARANTOR_EVENT_TYPES else ""


def enterprise_to_notify(event: EventForRouting) -> str:
    """The SME to send the event to, or "". A decline reaches it only when it is final:
    until every addressed bank has declined, its application stays SUBMITTED and open
    to the others (it reads each decline in `declined_bank_ids`, and its next delivery's
    version counts them)."""
    if event.event_type not in ENTERPRISE_EVENT_TYPES:
        return ""
    if event.event_type == "FinancingRejected" and not event.final_decline:
        return ""
    return event.enterprise_id


def copies_for(
    event: EventForRouting, document: dict[str, Any], declines: Mapping[str, int] | None = None
) -> list[tuple[Recipient, dict[str, Any]]]:
    """Every webhook owner the event concerns, each with the copy it may read: each
    addressed bank its own (`delivery_seen_by`), the guarantee company the lender's
    less its correlation id, the applying SME its own (`delivery_seen_by_enterprise`)."""
    copies = [
        (Recipient(OwnerKind.MEMBER, bank), delivery_seen_by(bank, document, declines))
        for bank in sorted(banks_to_notify(event))
    ]
    guarantor = guarantor_to_notify(event)
    if guarantor:
        lender_copy = delivery_seen_by(event.bank_id, document, declines)
        copies.append(
            (Recipient(OwnerKind.MEMBER, guarantor), delivery_seen_by_guarantor(lender_copy))
        )
    enterprise = enterprise_to_notify(event)
    if enterprise:
        copy = delivery_seen_by_enterprise(document)
        copies.append((Recipient(OwnerKind.ENTERPRISE, enterprise), copy))
    return copies


def delivery_seen_by_enterprise(document: dict[str, Any]) -> dict[str, Any]:
    """The applying SME's copy: never more than it reads through
    `GET /v1/applications/{id}` (and its own lines and loan statement). The credit
    service shows an applicant its whole application, so the version is the event's
    (every bank's decline counts, `version_seen_by` is for banks), every addressed bank
    is listed, and the bound line's balances are of its own line. Left out:

    - the correlation id of every change but its own applying and withdrawing: the
      bank's, guarantee company's or platform's request, which may name their own
      systems (its history shows request ids on its own changes only);
    - the `reason` of a bank's decline or close, which no read shows an applicant;
    - the bank's home city and institution type in `parties`: member records are not
      the SME's to read (the bank's id is, as the application's `bank_id`)."""
    data = document["data"]
    seen = {**data, "parties": {**data["parties"], "bank_city": "", "bank_type": ""}}
    if document["event_type"] in _BANK_REASON_EVENTS:
        seen["reason"] = ""
    own = document["event_type"] in ENTERPRISE_ACTIONS
    return {**document, "correlation_id": document["correlation_id"] if own else "", "data": seen}


def delivery_seen_by_guarantor(lender_copy: dict[str, Any]) -> dict[str, Any]:
    """A guarantee company's copy: the lending bank's, as the credit service shows it
    the loan (the lender's view), less the correlation id of the lender's request (a
    bank may put its own systems' request or ticket ids there)."""
    return {**lender_copy, "correlation_id": ""}


def delivery_seen_by(
    bank_id: str, document: dict[str, Any], declines: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """One bank's copy of a delivery body (envelope fields and `data`): never more than
    that bank may read through `GET /v1/applications/{id}`.

    - An application's `aggregate_version` is the version this bank is shown
      (`version_seen_by`): `declines` maps each bank that declined the application to
      the version its decline made.

    - FinancingApplied: the bank finds itself in `target_bank_ids`, not the other banks
      of a matchmaking application (`city_wide` says there were others): who else is
      active in the city, and who competes for the enterprise, is theirs.
    - FinancingApproved reaches every addressed bank, so that the others learn the
      application is gone, by whom, on which line and for how much. Their copies leave
      out what is the winning bank's own: the bound line's balances (its limit, use and
      outstanding; the line is 404 to them) and the correlation id of its approving
      request (a bank may put its own systems' request or ticket ids there)."""
    if declines and document["aggregate_type"] == APPLICATION_AGGREGATE:
        version = version_seen_by(bank_id, document["aggregate_version"], declines)
        document = {**document, "aggregate_version": version}
    data = document["data"]
    if document["event_type"] == "FinancingApplied":
        return {**document, "data": {**data, "target_bank_ids": [bank_id]}}
    if document["event_type"] != "FinancingApproved" or data["parties"]["bank_id"] == bank_id:
        return document
    # None: how an absent message reads in this JSON; "": an absent string.
    return {**document, "correlation_id": "", "data": {**data, "balances": None}}


def version_seen_by(bank_id: str, version: int, declines: Mapping[str, int]) -> int:
    """`version` less the other banks' declines before it, as the credit service shows a
    bank an application (`FinancingApplication.version_seen_by`): each decline is a
    version, and counting them would tell a bank how many competitors turned the
    enterprise down."""
    return version - sum(
        1 for bank, declined_at in declines.items() if bank != bank_id and declined_at < version
    )


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


MAX_HOST_CHARS = 253  # DNS: a name of at most 253 characters, labels of at most 63
MAX_LABEL_CHARS = 63
# Letters, digits and hyphens, not at either end of a label. Underscores are kept: some
# resolvable names carry them, and getaddrinfo resolves them.
_LABEL = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?", re.IGNORECASE)
# A last label like these makes resolvers read the whole host as an IPv4 address in
# some legacy form (`1.2.3`, `0x7f.0.0.1`); only dotted decimal is taken.
_NUMERIC_LABEL = re.compile(r"0x[0-9a-f]*|[0-9]+", re.IGNORECASE)


def url_target_refusal(host: str, port: int | None) -> str | None:
    """Why a webhook URL's host and port can never receive a delivery. `host` is the
    host as sent on the wire: IDNA A-labels, an IPv6 literal without brackets."""
    if port is not None and not 1 <= port <= 65535:
        return "port must be 1 to 65535"
    if ":" in host:
        return _ipv6_refusal(host)
    return _host_name_refusal(host)


def _ipv6_refusal(host: str) -> str | None:
    try:
        ipaddress.IPv6Address(host)
    except ValueError:
        return "host is not a valid IPv6 address"
    return None


def _host_name_refusal(host: str) -> str | None:
    name = host.removesuffix(".")  # a fully qualified name may end in a dot
    if not name:
        return "must name a host"
    if len(name) > MAX_HOST_CHARS:
        return f"host must be at most {MAX_HOST_CHARS} characters"
    labels = name.split(".")
    if any(len(label) > MAX_LABEL_CHARS or not _LABEL.fullmatch(label) for label in labels):
        return "host must be a DNS name (letters, digits, hyphens) or an IP address"
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        try:
            ipaddress.IPv4Address(name)
        except ValueError:
            return "an IPv4 host must be four decimal numbers (a.b.c.d)"
    return None
