"""Webhook routing, signing and backoff rules."""

from __future__ import annotations

from g60_gateway.domain.webhooks import (
    EventForRouting,
    backoff_s,
    banks_to_notify,
    signature,
    verify,
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


def test_other_events_reach_nobody() -> None:
    assert banks_to_notify(EventForRouting("CreditLineRegistered", "b1", (), ())) == set()


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
