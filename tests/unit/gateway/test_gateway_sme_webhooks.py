"""Webhooks for SMEs: which events reach the applying enterprise, and that its copy
shows no more than it reads on `GET /v1/applications/{id}` (and its own lines and loan
statement)."""

from __future__ import annotations

from typing import Any

import pytest
from g60_gateway.domain.webhooks import (
    ENTERPRISE_EVENT_TYPES,
    EventForRouting,
    OwnerKind,
    Recipient,
    copies_for,
    delivery_seen_by,
    delivery_seen_by_enterprise,
    enterprise_to_notify,
)

SME = Recipient(OwnerKind.ENTERPRISE, "e1")
PARTIES = {
    "bank_id": "b1",
    "bank_city": "340100",
    "bank_type": "BANK",
    "enterprise_id": "e1",
    "enterprise_city": "340100",
    "enterprise_region_code": "",
    "industry": "INTEGRATED_CIRCUITS",
    "size_class": "SMALL",
}


def _event(event_type: str, **kw: Any) -> EventForRouting:
    return EventForRouting(event_type, "b1", (), ("b1", "b2"), enterprise_id="e1", **kw)


def _document(event_type: str, version: int = 4, **data: Any) -> dict[str, Any]:
    aggregate = "CreditLine" if event_type in ("FundsDisbursed", "LoanRepaid") else "Application"
    return {
        "event_id": "ev-1",
        "event_type": event_type,
        "aggregate_type": "FinancingApplication" if aggregate == "Application" else aggregate,
        "aggregate_id": "app-1",
        "aggregate_version": version,
        "occurred_at": "2026-11-29T08:00:00Z",
        "correlation_id": "b1-loan-desk-4711",
        "data": {"application_id": "app-1", "parties": dict(PARTIES), **data},
    }


@pytest.mark.parametrize("event_type", sorted(ENTERPRISE_EVENT_TYPES - {"FinancingRejected"}))
def test_the_sme_hears_every_change_of_its_own_application_and_loan(event_type: str) -> None:
    assert enterprise_to_notify(_event(event_type)) == "e1"


def test_a_decline_reaches_the_sme_only_once_it_is_final() -> None:
    """A matchmaking application stays SUBMITTED, open to the other banks, until every
    addressed bank has declined; one bank's decline is not the SME's answer."""
    assert enterprise_to_notify(_event("FinancingRejected", final_decline=False)) == ""
    assert enterprise_to_notify(_event("FinancingRejected", final_decline=True)) == "e1"


def test_events_of_no_application_reach_no_sme() -> None:
    for kind in ("CreditLineRegistered", "CreditLineAmended", "GuarantorCapacitySet"):
        assert enterprise_to_notify(_event(kind)) == ""
    assert enterprise_to_notify(EventForRouting("FundsDisbursed", "b1", (), ())) == ""


def test_the_sme_s_copy_of_an_approval_counts_every_decline_as_its_read_does() -> None:
    """b2 and b3 declined at versions 2 and 3, then b1 approved (version 4): each bank
    is shown the version without the others' declines, the applicant all of them."""
    approved = _document("FinancingApproved", balances={"limit_fen": 9_000_000})
    copies = dict(copies_for(_event("FinancingApproved"), approved, {"b2": 2, "b3": 3}))
    assert copies[SME]["aggregate_version"] == 4
    assert copies[Recipient(OwnerKind.MEMBER, "b1")]["aggregate_version"] == 2
    assert copies[SME]["data"]["balances"] == {"limit_fen": 9_000_000}  # its own line


def test_the_sme_s_copy_of_a_bank_s_change_carries_no_request_or_member_details() -> None:
    for event_type in ("FinancingApproved", "FundsDisbursed", "LoanRepaid", "LoanReclassified"):
        sent = _document(event_type, amount_fen=100)
        seen = delivery_seen_by_enterprise(sent)
        assert seen["correlation_id"] == ""
        assert seen["data"]["parties"] == {**PARTIES, "bank_city": "", "bank_type": ""}
        # Everything else as sent: version, amounts, the bank's id (`bank_id` on GET).
        assert {**seen, "correlation_id": sent["correlation_id"], "data": sent["data"]} == sent
        assert {k: v for k, v in seen["data"].items() if k != "parties"} == {
            k: v for k, v in sent["data"].items() if k != "parties"
        }


def test_a_bank_s_reason_for_declining_or_closing_is_not_the_sme_s() -> None:
    rejected = _document("FinancingRejected", reason="internal score 41", final=True)
    assert delivery_seen_by_enterprise(rejected)["data"]["reason"] == ""
    assert delivery_seen_by_enterprise(rejected)["data"]["final"] is True
    closed = _document("FinancingClosed", reason="ticket LOAN-77", disbursed_fen=0)
    assert delivery_seen_by_enterprise(closed)["data"]["reason"] == ""


def test_the_sme_s_own_actions_keep_its_correlation_id_and_every_addressed_bank() -> None:
    applied = _document("FinancingApplied", 1, target_bank_ids=["b1", "b2"], city_wide=True)
    seen = delivery_seen_by_enterprise(applied)
    assert seen["correlation_id"] == applied["correlation_id"]
    assert seen["data"]["target_bank_ids"] == ["b1", "b2"]  # a bank sees only itself
    assert delivery_seen_by("b2", applied)["data"]["target_bank_ids"] == ["b2"]
    withdrawn = _document("FinancingWithdrawn", 2, reason="no longer needed")
    assert delivery_seen_by_enterprise(withdrawn)["data"]["reason"] == "no longer needed"
    assert delivery_seen_by_enterprise(withdrawn)["correlation_id"] == applied["correlation_id"]


def test_a_loan_s_events_reach_lender_guarantor_and_sme_each_with_its_copy() -> None:
    event = EventForRouting(
        "FundsDisbursed", "b1", (), ("b1", "b2"), guarantor_id="g1", enterprise_id="e1"
    )
    copies = dict(copies_for(event, _document("FundsDisbursed", 7, amount_fen=100)))
    assert set(copies) == {
        Recipient(OwnerKind.MEMBER, "b1"),
        Recipient(OwnerKind.MEMBER, "g1"),
        SME,
    }
    assert copies[Recipient(OwnerKind.MEMBER, "b1")]["correlation_id"] == "b1-loan-desk-4711"
    assert copies[Recipient(OwnerKind.MEMBER, "g1")]["correlation_id"] == ""
    assert copies[SME]["aggregate_version"] == 7  # the line's version, which it reads


def test_an_sme_is_never_taken_for_a_member_of_the_same_id() -> None:
    """Owners are named with their kind: an enterprise id equal to a bank's (they come
    from separate registers) would still reach only the enterprise's webhooks."""
    event = EventForRouting("FinancingApproved", "x1", (), ("x1",), enterprise_id="x1")
    owners = [owner for owner, _ in copies_for(event, _document("FinancingApproved"))]
    assert sorted(owners) == [
        Recipient(OwnerKind.ENTERPRISE, "x1"),
        Recipient(OwnerKind.MEMBER, "x1"),
    ]
