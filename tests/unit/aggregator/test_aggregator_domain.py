"""How each credit event moves the totals (pure domain)."""

from __future__ import annotations

from g60_aggregator.domain.credit_events import CreditFact, LineBalances, apply_fact
from g60_aggregator.domain.fold import TotalsFold
from g60_aggregator.domain.served import ServedFact, merge_served
from g60_aggregator.domain.totals import (
    ACTIVE_LIMIT,
    ALLIANCE,
    CREDIT_GRANTED,
    VersionCheck,
    check_version,
    cumulative,
    dimension_keys,
)
from g60_aggregator.entrypoints.serialize import measures, totals_document

BANKED = dict(
    bank_id="b1", bank_city="340100", bank_type="BANK", enterprise_city="320500",
    industry="AI", size_class="SMALL", enterprise_id="e1",
)  # fmt: skip


def _parties(**overrides: str) -> object:
    from g60_aggregator.domain.totals import Parties

    return Parties(**{**BANKED, **overrides})


def _fact(kind: str, version: int, month: str = "2026-01", **kw: object) -> CreditFact:
    return CreditFact(kind, "line-1", version, month, _parties(), **kw)  # type: ignore[arg-type]


def _line(limit: int, status: str = "ACTIVE") -> LineBalances:
    return LineBalances(limit_fen=limit, status=status)


def test_version_check_skips_old_and_flags_jumps() -> None:
    assert check_version(0, 1) is VersionCheck.APPLY
    assert check_version(3, 3) is VersionCheck.DUPLICATE
    assert check_version(3, 2) is VersionCheck.DUPLICATE
    assert check_version(3, 5) is VersionCheck.GAP


def test_empty_dimension_values_are_not_attributed() -> None:
    keys = dimension_keys(_parties(bank_id="", bank_city="", bank_type=""))  # type: ignore[arg-type]
    assert keys == [ALLIANCE, "enterprise_city:320500", "industry:AI", "enterprise_size:SMALL"]


def test_granted_counts_increases_only_and_active_limit_follows_status() -> None:
    s = apply_fact(None, _fact("CreditLineRegistered", 1, limit_fen=100, balances=_line(100)))
    s = apply_fact(s, _fact("CreditLineAmended", 2, "2026-02", limit_delta_fen=50,
                             balances=_line(150)))  # fmt: skip
    s = apply_fact(s, _fact("CreditLineAmended", 3, "2026-03", limit_delta_fen=-120,
                             balances=_line(30)))  # fmt: skip
    s = apply_fact(s, _fact("CreditLineFrozen", 4, "2026-04", balances=_line(30, "FROZEN")))
    assert s.contribution[CREDIT_GRANTED] == {"2026-01": 100, "2026-02": 50}
    active = s.contribution[ACTIVE_LIMIT]
    assert [cumulative(active, m) for m in ("2026-01", "2026-02", "2026-03", "2026-04")] == [
        100, 150, 30, 0,
    ]  # fmt: skip


def test_outstanding_is_disbursed_minus_repaid_and_first_disbursement_timed() -> None:
    fold = TotalsFold()
    fold.apply("line-1", 1, _fact("CreditLineRegistered", 1, limit_fen=1000, balances=_line(1000)))
    fold.apply("line-1", 2, _fact("FundsDisbursed", 2, amount_fen=400, first_disbursement=True,
                                  to_first_disbursement_s=90, balances=_line(1000)))  # fmt: skip
    fold.apply("line-1", 3, _fact("LoanRepaid", 3, "2026-02", amount_fen=150, balances=_line(1000)))
    assert fold.apply("line-1", 3, _fact("LoanRepaid", 3)) is VersionCheck.DUPLICATE
    out = measures(fold.sums()[ALLIANCE], None)
    assert out["outstanding_fen"] == 250 and out["outstanding_yuan"] == "2.50"
    assert out["enterprises_served"] == 1 and out["disbursements"] == 1
    assert out["time_to_first_disbursement_p50_s"] == 90
    assert measures(fold.sums()[ALLIANCE], "2026-01")["outstanding_fen"] == 400


def test_applications_and_approval_rate() -> None:
    fold = TotalsFold()
    outcomes = ["FinancingApproved", "FinancingApproved", "FinancingRejected", "FinancingWithdrawn"]
    for i, outcome in enumerate(outcomes):
        fold.apply(f"a{i}", 1, CreditFact("FinancingApplied", f"a{i}", 1, "2026-01", _parties()))  # type: ignore[arg-type]
        fold.apply(f"a{i}", 2, CreditFact(outcome, f"a{i}", 2, "2026-01", _parties(), final=True))  # type: ignore[arg-type]
    out = measures(fold.sums()[ALLIANCE], None)
    assert (out["applications_submitted"], out["applications_approved"]) == (4, 2)
    assert (out["applications_rejected"], out["applications_withdrawn"]) == (1, 1)
    assert out["approval_rate"] == "0.6667"


def test_enterprise_served_keeps_the_earliest_month_per_dimension() -> None:
    later = ServedFact("e1", "2026-03", ("alliance", "bank:b1"))
    earlier = ServedFact("e1", "2026-01", ("alliance", "bank:b2"))
    merged = merge_served(merge_served({}, later), earlier)
    assert merged == {"alliance": "2026-01", "bank:b1": "2026-03", "bank:b2": "2026-01"}
    assert merge_served(merged, later) == merged


def test_document_keeps_the_skeleton_keys_and_filters_a_dimension() -> None:
    fold = TotalsFold()
    fold.apply("line-1", 1, _fact("CreditLineRegistered", 1, limit_fen=12345, balances=_line(1)))
    doc = totals_document(fold.sums(), None)
    assert doc["alliance"]["credit_granted_fen"] == 12345
    assert doc["alliance"]["credit_granted_yuan"] == "123.45"
    assert doc["by"]["enterprise_city"]["320500"]["credit_granted_fen"] == 12345
    assert doc["by"]["bank_city"]["340100"]["credit_granted_fen"] == 12345
    assert doc["by"]["enterprise_city"]["330100"]["credit_granted_fen"] == 0
    only_bank = totals_document(fold.sums(), "2025-12", "bank")
    assert list(only_bank["by"]) == ["bank"]
    assert only_bank["by"]["bank"]["b1"]["credit_granted_fen"] == 0


def test_waits_are_bucketed_to_two_significant_digits() -> None:
    from g60_aggregator.domain.credit_events import two_significant_digits

    assert [two_significant_digits(v) for v in (0, 7, 99, 100, 12_345, 86_399)] == [
        0, 7, 99, 100, 12_000, 86_000,
    ]  # fmt: skip


def test_an_event_without_measures_still_takes_its_version() -> None:
    """FinancingClosed (and any type totals ignore) must not make the next look like a gap."""
    import json
    from datetime import UTC, datetime

    from g60.events.v1 import credit_events_pb2 as pb
    from g60_aggregator.adapters.appliers import LineApplier
    from g60_aggregator.domain.partials import PartialSums
    from g60common.events import new_envelope
    from google.protobuf import wrappers_pb2

    def envelope(payload: object, version: int) -> bytes:
        return new_envelope(
            payload,  # type: ignore[arg-type]
            aggregate_type="FinancingApplication", aggregate_id="fa-1",
            aggregate_version=version, occurred_at=datetime(2026, 1, 5, tzinfo=UTC),
            correlation_id="t",
        ).SerializeToString()  # fmt: skip

    table: dict[str, bytes] = {}
    applier = LineApplier(table, PartialSums())
    parties = pb.CreditParties(enterprise_city="330100", bank_id="b1")
    applier.apply(envelope(pb.FinancingApplied(application_id="fa-1", parties=parties), 1), 0)
    applier.apply(envelope(pb.FinancingClosed(application_id="fa-1", parties=parties), 2), 0)
    applier.apply(envelope(wrappers_pb2.StringValue(value="unknown type"), 3), 0)
    assert json.loads(table["fa-1"])["version"] == 3


def test_loans_falling_overdue_count_in_the_month_they_were_marked() -> None:
    fold = TotalsFold()
    for i, month in enumerate(("2026-01", "2026-03")):
        fold.apply(f"a{i}", 1, CreditFact("FinancingApplied", f"a{i}", 1, "2025-12", _parties()))  # type: ignore[arg-type]
        fold.apply(f"a{i}", 2, CreditFact("FinancingApproved", f"a{i}", 2, "2025-12", _parties()))  # type: ignore[arg-type]
        late = CreditFact("LoanOverdue", f"a{i}", 3, month, _parties(), amount_fen=700 + i)  # type: ignore[arg-type]
        fold.apply(f"a{i}", 3, late)
    alliance = fold.sums()[ALLIANCE]
    assert measures(alliance, "2026-01")["loans_overdue"] == 1
    assert measures(alliance, None)["loans_overdue"] == 2
    assert measures(alliance, None)["principal_overdue_fen"] == 1_401


def test_a_compensation_is_principal_repaid_and_compensated() -> None:
    """代偿: the guarantor repays the bank, so it counts in principal_repaid_fen and in
    principal_compensated_fen; the outstanding balance falls by it like a repayment."""
    from datetime import UTC, datetime

    from g60.events.v1 import credit_events_pb2 as pb
    from g60_aggregator.adapters.decoding import to_fact
    from g60common.events import new_envelope

    envelope = new_envelope(
        pb.LoanCompensated(
            credit_line_id="line-1", parties=pb.CreditParties(**BANKED), amount_fen=300,
            guarantor_id="g1", balances=pb.CreditLineBalances(limit_fen=5_000, status="ACTIVE"),
        ),
        aggregate_type="CreditLine", aggregate_id="line-1", aggregate_version=4,
        occurred_at=datetime(2026, 2, 5, tzinfo=UTC), correlation_id="",
    )  # fmt: skip
    compensated = to_fact(envelope)
    assert compensated is not None and compensated.amount_fen == 300
    fold = TotalsFold()
    fold.apply(
        "line-1", 1, _fact("CreditLineRegistered", 1, limit_fen=5_000, balances=_line(5_000))
    )
    fold.apply("line-1", 2, _fact("FundsDisbursed", 2, amount_fen=1_000, balances=_line(5_000)))
    fold.apply("line-1", 3, _fact("LoanRepaid", 3, amount_fen=200, balances=_line(5_000)))
    fold.apply("line-1", 4, compensated)
    alliance = fold.sums()[ALLIANCE]
    assert measures(alliance, None)["principal_repaid_fen"] == 500
    assert measures(alliance, None)["principal_compensated_fen"] == 300
    assert measures(alliance, "2026-01")["principal_compensated_fen"] == 0
    assert (
        totals_document(fold.sums(), None)["by"]["bank"]["b1"]["principal_compensated_fen"] == 300
    )


def _line_envelope(payload: object, version: int, month: int) -> object:
    from datetime import UTC, datetime

    from g60common.events import new_envelope

    return new_envelope(
        payload,  # type: ignore[arg-type]
        aggregate_type="CreditLine", aggregate_id="line-1", aggregate_version=version,
        occurred_at=datetime(2026, month, 5, tzinfo=UTC), correlation_id="",
    )  # fmt: skip


def test_the_overdue_balance_falls_by_what_is_repaid_or_compensated_after_the_mark() -> None:
    """逾期余额: up by the outstanding when a loan is marked overdue, down by repayments
    of loans marked overdue (decoded from LoanRepaid.overdue_since) and by every
    compensation; repayments before the mark never touch it."""
    from g60.events.v1 import credit_events_pb2 as pb
    from g60_aggregator.adapters.decoding import to_fact

    parties = pb.CreditParties(**BANKED)
    balances = pb.CreditLineBalances(limit_fen=5_000, status="ACTIVE")

    def repaid(version: int, month: int, amount_fen: int, overdue_since: str) -> CreditFact:
        payload = pb.LoanRepaid(
            credit_line_id="line-1", parties=parties, amount_fen=amount_fen,
            balances=balances, overdue_since=overdue_since,
        )  # fmt: skip
        fact = to_fact(_line_envelope(payload, version, month))  # type: ignore[arg-type]
        assert fact is not None
        return fact

    compensated = to_fact(
        _line_envelope(  # type: ignore[arg-type]
            pb.LoanCompensated(
                credit_line_id="line-1", parties=parties, amount_fen=150, guarantor_id="g1",
                balances=balances, overdue_since="2026-03-01",
            ),
            5, 4,
        )
    )  # fmt: skip
    assert compensated is not None
    fold = TotalsFold()
    registered = _fact("CreditLineRegistered", 1, limit_fen=5_000, balances=_line(5_000))
    fold.apply("line-1", 1, registered)
    fold.apply("line-1", 2, _fact("FundsDisbursed", 2, amount_fen=1_000, balances=_line(5_000)))
    fold.apply("line-1", 3, repaid(3, 2, 100, ""))  # before maturity
    marked = CreditFact("LoanOverdue", "a1", 3, "2026-03", _parties(), amount_fen=900)  # type: ignore[arg-type]
    fold.apply("a1", 3, marked)
    fold.apply("line-1", 4, repaid(4, 4, 250, "2026-03-01"))
    fold.apply("line-1", 5, compensated)
    alliance = fold.sums()[ALLIANCE]
    balance = "principal_overdue_outstanding_fen"
    assert [measures(alliance, m)[balance] for m in ("2026-02", "2026-03", "2026-04")] == [
        0,
        900,
        500,
    ]
    assert measures(alliance, None)["principal_overdue_fen"] == 900  # the flow stays
    assert totals_document(fold.sums(), None)["by"]["bank"]["b1"][balance] == 500


def test_a_due_soon_reminder_moves_no_measure_but_takes_its_version() -> None:
    """LoanDueSoon (到期提醒) is an application version the totals do not use: the
    overdue mark after it is applied, not reported as a gap."""
    from datetime import UTC, datetime

    from g60.events.v1 import credit_events_pb2 as pb
    from g60_aggregator.adapters.decoding import to_fact
    from g60common.events import new_envelope

    envelope = new_envelope(
        pb.LoanDueSoon(application_id="app-1", parties=pb.CreditParties(**BANKED), days_left=3),
        aggregate_type="FinancingApplication", aggregate_id="app-1", aggregate_version=3,
        occurred_at=datetime(2026, 2, 5, tzinfo=UTC), correlation_id="",
    )  # fmt: skip
    assert to_fact(envelope) is None
    fold = TotalsFold()
    fold.apply("app-1", 1, _fact("FinancingApplied", 1))
    fold.apply("app-1", 2, _fact("FinancingApproved", 2))
    before = fold.sums()
    assert fold.apply("app-1", 3, None) is VersionCheck.APPLY
    assert fold.sums() == before
    overdue = _fact("LoanOverdue", 4, amount_fen=100)
    assert fold.apply("app-1", 4, overdue) is VersionCheck.APPLY


def test_the_non_performing_balance_follows_moves_into_npl_and_repayments_after() -> None:
    """不良贷款余额: up by the outstanding when a loan moves from a performing class into a
    non-performing one (decoded from LoanReclassified), unchanged by moves within the
    non-performing classes, down by repayments and compensations of loans then in a
    non-performing class (their risk_class); 不良率 over the outstanding balance."""
    from g60.events.v1 import credit_events_pb2 as pb
    from g60_aggregator.adapters.decoding import to_fact

    parties = pb.CreditParties(**BANKED)
    balances = pb.CreditLineBalances(limit_fen=5_000, status="ACTIVE")

    def on_line(payload: object, version: int, month: int) -> CreditFact:
        fact = to_fact(_line_envelope(payload, version, month))  # type: ignore[arg-type]
        assert fact is not None
        return fact

    def moved(
        version: int, month: int, previous: str, new: str, outstanding_fen: int
    ) -> CreditFact:
        from datetime import UTC, datetime

        from g60common.events import new_envelope

        payload = pb.LoanReclassified(
            application_id="a1", parties=parties, previous_risk_class=previous,
            risk_class=new, outstanding_fen=outstanding_fen, days_past_due=100,
        )  # fmt: skip
        envelope = new_envelope(
            payload,
            aggregate_type="FinancingApplication",
            aggregate_id="a1",
            aggregate_version=version,
            occurred_at=datetime(2026, month, 5, tzinfo=UTC),
            correlation_id="",
        )
        fact = to_fact(envelope)
        assert fact is not None
        return fact

    def repaid(version: int, month: int, amount_fen: int, risk_class: str) -> CreditFact:
        payload = pb.LoanRepaid(
            credit_line_id="line-1", parties=parties, amount_fen=amount_fen,
            balances=balances, overdue_since="2026-01-01", risk_class=risk_class,
        )  # fmt: skip
        return on_line(payload, version, month)

    fold = TotalsFold()
    registered = _fact("CreditLineRegistered", 1, limit_fen=5_000, balances=_line(5_000))
    fold.apply("line-1", 1, registered)
    # a1 draws 1,000 and another loan on the line 400, both in January.
    fold.apply("line-1", 2, _fact("FundsDisbursed", 2, amount_fen=1_000, balances=_line(5_000)))
    fold.apply("line-1", 3, _fact("FundsDisbursed", 3, amount_fen=400, balances=_line(5_000)))
    fold.apply("line-1", 4, repaid(4, 2, 100, "SPECIAL_MENTION"))  # performing: no change
    fold.apply("a1", 4, moved(4, 3, "SPECIAL_MENTION", "SUBSTANDARD", 900))
    fold.apply("line-1", 5, repaid(5, 4, 250, "SUBSTANDARD"))
    fold.apply("a1", 5, moved(5, 5, "SUBSTANDARD", "LOSS", 650))  # within NPL
    compensated = pb.LoanCompensated(
        credit_line_id="line-1", parties=parties, amount_fen=150, guarantor_id="g1",
        balances=balances, overdue_since="2026-01-01", risk_class="LOSS",
    )  # fmt: skip
    fold.apply("line-1", 6, on_line(compensated, 6, 6))
    # The other loan, in an event published before the field existed: performing.
    fold.apply("line-1", 7, repaid(7, 6, 50, ""))
    alliance = fold.sums()[ALLIANCE]
    balance = "principal_nonperforming_fen"
    months = ("2026-02", "2026-03", "2026-04", "2026-05", "2026-06")
    assert [measures(alliance, m)[balance] for m in months] == [0, 900, 650, 650, 500]
    assert [measures(alliance, m)["loans_nonperforming"] for m in months] == [0, 1, 1, 1, 1]
    # 不良率, rounded half up to 4 places: 650 of 1,050 outstanding; 500 of 850.
    assert measures(alliance, "2026-02")["nonperforming_ratio"] == "0.0000"
    assert measures(alliance, "2026-04")["nonperforming_ratio"] == "0.6190"
    assert measures(alliance, None)["nonperforming_ratio"] == "0.5882"
    assert measures(alliance, None)["principal_nonperforming_yuan"] == "5.00"
    assert measures({}, None)["nonperforming_ratio"] is None  # nothing outstanding
    assert totals_document(fold.sums(), None)["by"]["bank"]["b1"][balance] == 500
