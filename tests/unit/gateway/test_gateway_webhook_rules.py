"""Webhook routing, signing and backoff rules."""

from __future__ import annotations

from typing import Any

from g60_gateway.domain.webhooks import (
    EventForRouting,
    backoff_s,
    banks_to_notify,
    delivery_seen_by,
    delivery_seen_by_guarantor,
    guarantor_to_notify,
    signature,
    verify,
    version_seen_by,
)


def test_new_application_reaches_every_addressed_bank() -> None:
    event = EventForRouting("FinancingApplied", "", ("b1", "b2"), ())
    assert banks_to_notify(event) == {"b1", "b2"}


def test_withdrawal_reaches_the_banks_remembered_from_the_application() -> None:
    event = EventForRouting("FinancingWithdrawn", "", (), ("b1", "b2"))
    assert banks_to_notify(event) == {"b1", "b2"}


def test_money_movements_reach_the_lending_bank_only() -> None:
    assert banks_to_notify(EventForRouting("FundsDisbursed", "b1", (), ("b2",))) == {"b1"}
    assert banks_to_notify(EventForRouting("LoanRepaid", "b1", (), ())) == {"b1"}
    # Only the lender hears its loan is overdue; banks that lost it never knew of it.
    assert banks_to_notify(EventForRouting("LoanOverdue", "b1", (), ("b2",))) == {"b1"}
    assert banks_to_notify(EventForRouting("LoanDueSoon", "b1", (), ("b2",))) == {"b1"}
    assert banks_to_notify(EventForRouting("LoanExtended", "b1", (), ("b2",))) == {"b1"}
    # So is a move down the risk tiers (五级分类).
    assert banks_to_notify(EventForRouting("LoanReclassified", "b1", (), ("b2",))) == {"b1"}


def test_other_events_reach_nobody() -> None:
    assert banks_to_notify(EventForRouting("CreditLineRegistered", "b1", (), ())) == set()


def _delivery(event_type: str = "FinancingApproved") -> dict[str, Any]:
    return {
        "event_id": "ev-1",
        "event_type": event_type,
        "aggregate_version": 3,
        "correlation_id": "b1-loan-desk-4711",
        "data": {
            "application_id": "app-1",
            "parties": {"bank_id": "b1", "enterprise_id": "e1"},
            "credit_line_id": "line-1",
            "approved_fen": 400_000,
            "balances": {"limit_fen": 9_000_000, "utilized_fen": 1_000_000},
        },
    }


def test_an_approval_tells_the_other_addressed_banks_nothing_that_is_the_winner_s() -> None:
    """Their read of the application shows who won, on which line, for how much: the
    line's limit and use are the winner's book, its request's correlation id its own."""
    seen, sent = delivery_seen_by("b2", _delivery()), _delivery()
    assert seen["data"]["balances"] is None and seen["correlation_id"] == ""
    sent["data"]["balances"], sent["correlation_id"] = None, ""
    assert seen == sent  # the rest as sent: who won, on which line, for how much
    assert delivery_seen_by("b1", _delivery()) == _delivery()


def test_a_new_application_names_no_other_addressed_bank() -> None:
    applied = _delivery("FinancingApplied")
    applied["data"] = {"application_id": "app-1", "target_bank_ids": ["b1", "b2", "b3"]}
    applied["data"]["city_wide"] = True
    seen = delivery_seen_by("b2", applied)
    assert seen["data"] == {"application_id": "app-1", "target_bank_ids": ["b2"], "city_wide": True}
    assert {k: v for k, v in seen.items() if k != "data"} == {
        k: v for k, v in applied.items() if k != "data"
    }


def test_other_events_go_out_as_they_are() -> None:
    for event_type in ("FinancingWithdrawn", "FinancingRejected", "FundsDisbursed", "LoanRepaid"):
        assert delivery_seen_by("b2", _delivery(event_type)) == _delivery(event_type)


def test_a_bank_s_copy_of_an_application_event_leaves_out_the_other_banks_declines() -> None:
    """b2 and b3 declined at versions 2 and 3, then b1 approved (version 4)."""
    declines = {"b2": 2, "b3": 3}
    approved = {**_delivery(), "aggregate_type": "FinancingApplication", "aggregate_version": 4}
    seen = {bank: delivery_seen_by(bank, approved, declines) for bank in ("b1", "b2", "b3")}
    assert {bank: copy["aggregate_version"] for bank, copy in seen.items()} == {
        "b1": 2,
        "b2": 3,
        "b3": 3,
    }
    # Each decline's own copy: the banks that declined before it are left out.
    assert version_seen_by("b2", 2, declines) == 2
    assert version_seen_by("b3", 3, declines) == 2
    # Line events carry the line's version: declines have nothing to do with it.
    drawn = {**_delivery("FundsDisbursed"), "aggregate_type": "CreditLine"}
    assert delivery_seen_by("b1", drawn, declines) == drawn


def test_signature_covers_timestamp_and_body() -> None:
    header = signature("secret", 1700000000, b'{"a":1}')
    assert header.startswith("v1=")
    assert verify("secret", 1700000000, b'{"a":1}', header)
    assert not verify("secret", 1700000001, b'{"a":1}', header)
    assert not verify("secret", 1700000000, b'{"a":2}', header)
    assert not verify("other", 1700000000, b'{"a":1}', header)


def test_backoff_doubles_up_to_the_cap() -> None:
    assert [backoff_s(n, 0.5, 3.0) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    assert backoff_s(10_000, 0.5, 3.0) == 3.0


def test_a_guarantor_hears_of_the_loans_it_backs_moving_extended_due_or_overdue_only() -> None:
    for kind in (
        "FundsDisbursed",
        "LoanRepaid",
        "LoanDueSoon",
        "LoanExtended",
        "LoanOverdue",
        "LoanReclassified",
        "LoanCompensated",
    ):
        assert guarantor_to_notify(EventForRouting(kind, "b1", (), (), "g1")) == "g1"
    for kind in ("FinancingApplied", "FinancingApproved", "FinancingRejected", "FinancingClosed"):
        assert guarantor_to_notify(EventForRouting(kind, "b1", (), (), "g1")) == ""
    assert guarantor_to_notify(EventForRouting("FundsDisbursed", "b1", (), ())) == ""


def test_a_compensation_reaches_the_lender_and_the_guarantor_that_paid() -> None:
    event = EventForRouting("LoanCompensated", "b1", (), ("b1", "b2"), "g1")
    assert banks_to_notify(event) == {"b1"}  # not the banks that lost the application
    assert guarantor_to_notify(event) == "g1"


def test_a_guarantor_s_copy_is_the_lender_s_without_its_correlation_id() -> None:
    lender = {"event_type": "LoanOverdue", "correlation_id": "bank-ticket-9", "data": {"x": 1}}
    assert delivery_seen_by_guarantor(lender) == {**lender, "correlation_id": ""}
