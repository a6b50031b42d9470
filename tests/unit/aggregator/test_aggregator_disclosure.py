"""Small-cell suppression: a public cell made of one or two banks' figures is withheld,
and so are enough others that the alliance-wide figure cannot give it back (pure)."""

from __future__ import annotations

from g60_aggregator.domain.credit_events import CreditFact, LineBalances
from g60_aggregator.domain.disclosure import MIN_PER_CELL, banks_by_cell, withheld_cells
from g60_aggregator.domain.fold import TotalsFold
from g60_aggregator.domain.totals import (
    CREDIT_GRANTED,
    CREDIT_LINES,
    Parties,
    Sums,
    add_to_sums,
    bank_share_key,
    dimension_keys,
    is_bank_share,
)
from g60_aggregator.entrypoints.serialize import totals_document
from hypothesis import given
from hypothesis import strategies as st

CITIES = ("310117", "330400", "330100", "330700")


def _parties(bank: str, bank_city: str, enterprise_city: str = "320500") -> Parties:
    return Parties(bank, bank_city, "BANK", enterprise_city, "C39", "SMALL", "e-" + bank)


def _register(fold: TotalsFold, line: str, parties: Parties, month: str, fen: int) -> None:
    fact = CreditFact(
        "CreditLineRegistered", line, 1, month, parties, limit_fen=fen,
        balances=LineBalances(limit_fen=fen, status="ACTIVE"),
    )  # fmt: skip
    fold.apply(line, 1, fact)


def test_a_bank_s_events_also_count_it_in_each_public_cell_but_not_per_bank() -> None:
    keys = dimension_keys(_parties("b1", "340100"))
    shares = [k for k in keys if is_bank_share(k)]
    assert shares == [
        bank_share_key("enterprise_city:320500", "b1"),
        bank_share_key("bank_city:340100", "b1"),
        bank_share_key("institution_type:BANK", "b1"),
        bank_share_key("industry:C39", "b1"),
        bank_share_key("enterprise_size:SMALL", "b1"),
    ]


def test_a_bank_share_carries_presence_only_not_the_bank_s_money() -> None:
    sums: Sums = {}
    change = {CREDIT_GRANTED: {"2026-01": 500}, CREDIT_LINES: {"2026-01": 1}}
    share = bank_share_key("bank_city:340100", "b1")
    add_to_sums(sums, ["bank_city:340100", share], change)
    assert sums[share] == {CREDIT_LINES: {"2026-01": 1}}
    assert sums["bank_city:340100"] == change


def _many(banks: dict[str, set[str]]) -> dict[str, int]:
    """Enterprise counts that never bind: the bank rule alone decides."""
    return {cell: 10 if ids else 0 for cell, ids in banks.items()}


def test_one_small_cell_takes_the_next_smallest_with_it() -> None:
    banks = {"A": {"b1"}, "B": {"b2", "b3"}, "C": {"b4", "b5", "b6"}, "D": set()}
    # A alone: alliance minus B, C and D would be b1's book. B brings b1's union to 3.
    assert withheld_cells(banks, _many(banks)) == {"A", "B"}


def test_withheld_cells_must_come_from_enough_distinct_banks_together() -> None:
    banks = {"A": {"b1"}, "B": {"b1", "b2", "b3"}, "C": {"b1", "b2", "b3", "b4"}}
    # A alone is b1's book; A and B together come from b1, b2 and b3: enough.
    assert withheld_cells(banks, _many(banks)) == {"A", "B"}
    overlapping = {"A": {"b1"}, "B": {"b1", "b2"}, "C": {"b1", "b2", "b3", "b4"}}
    assert withheld_cells(overlapping, _many(overlapping)) == {"A", "B", "C"}


def test_nothing_is_withheld_when_every_cell_has_enough_banks_or_none() -> None:
    banks = {"A": {"b1", "b2", "b3"}, "B": set()}
    assert withheld_cells(banks, _many(banks)) == set()


def test_a_cell_of_one_or_two_enterprises_is_withheld_too() -> None:
    banks = {c: {"b1", "b2", "b3"} for c in "ABC"}
    # A is one enterprise's borrowing; A and B together are still only two enterprises.
    assert withheld_cells(banks, {"A": 1, "B": 1, "C": 40}) == {"A", "B", "C"}
    assert withheld_cells(banks, {"A": 1, "B": 2, "C": 40}) == {"A", "B"}
    assert withheld_cells(banks, {"A": 3, "B": 3, "C": 40}) == set()


def test_where_enterprises_can_be_in_several_cells_only_the_largest_count_is_sure() -> None:
    """Bank city, institution type: two enterprises borrowing from banks of two cities
    count twice in a sum, and the alliance minus the rest would be their two books."""
    banks = {c: {"b1", "b2", "b3"} for c in "ABC"}
    ents = {"A": 2, "B": 2, "C": 40}
    assert withheld_cells(banks, ents) == {"A", "B"}
    assert withheld_cells(banks, ents, shared_enterprises=True) == {"A", "B", "C"}
    assert withheld_cells(banks, {"A": 2, "B": 3, "C": 40}, shared_enterprises=True) == {
        "A",
        "B",
    }


@given(
    st.dictionaries(
        st.sampled_from("ABCDEFG"),
        st.tuples(
            st.sets(st.sampled_from(["b1", "b2", "b3", "b4", "b5"]), max_size=5),
            st.integers(0, 5),
        ),
        max_size=7,
    ),
    st.booleans(),
)
def test_what_is_published_never_isolates_fewer_than_the_minimum(
    cells: dict[str, tuple[set[str], int]], shared_enterprises: bool
) -> None:
    banks = {c: ids for c, (ids, _) in cells.items()}
    ents = {c: n for c, (_, n) in cells.items()}
    withheld = withheld_cells(banks, ents, shared_enterprises=shared_enterprises)
    for cell in cells:
        if 0 < len(banks[cell]) < MIN_PER_CELL or 0 < ents[cell] < MIN_PER_CELL:
            assert cell in withheld
    behind = set().union(*(banks[c] for c in withheld))
    # With enterprises in several cells, only the largest count is sure to be distinct.
    counts = [ents[c] for c in withheld]
    behind_ents = max(counts, default=0) if shared_enterprises else sum(counts)
    left = [c for c in cells if (banks[c] or ents[c]) and c not in withheld]
    # Either the withheld cells hide enough together, or nothing is left to take.
    enough = len(behind) >= MIN_PER_CELL and behind_ents >= MIN_PER_CELL
    assert not withheld or enough or not left
    assert all(banks[c] or ents[c] for c in withheld)


def test_each_enterprise_is_counted_once_per_cell_it_has_a_line_or_application_in() -> None:
    fold = _one_bank_per_city()
    # b0..b3 all lend to their own enterprise, each in 320500; a second line changes nothing.
    _register(fold, "line-9", _parties("b1", CITIES[1]), "2026-05", 7)
    document = totals_document(fold.sums(), None)
    assert document["by"]["enterprise_city"]["320500"]["enterprises_with_activity"] == 4
    assert document["by"]["bank_city"][CITIES[1]]["enterprises_with_activity"] == 1
    assert document["alliance"]["enterprises_with_activity"] == 4
    assert document["by"]["industry"]["C39"]["enterprises_with_activity"] == 4


def _one_bank_per_city() -> TotalsFold:
    fold = TotalsFold()
    for i, city in enumerate(CITIES):
        _register(fold, f"line-{i}", _parties(f"b{i}", city), "2026-0" + str(i + 1), 1000 * (i + 1))
    return fold


def test_the_public_view_withholds_one_bank_cities_and_keeps_shared_cells() -> None:
    document = totals_document(_one_bank_per_city().sums(), None, public=True)
    for city in CITIES:
        assert document["by"]["bank_city"][city] == {
            "withheld": True,
            "reason": "fewer than 3 banks or 3 enterprises behind this cell's figures",
        }
    shared = document["by"]["enterprise_city"]["320500"]  # all four banks lend there
    assert shared["credit_granted_fen"] == 10_000 and shared["banks_with_activity"] == 4
    assert document["alliance"]["credit_granted_fen"] == 10_000
    assert document["alliance"]["banks_with_activity"] == 4
    # No figure outside the alliance's shows a bank share or any one bank's figure.
    assert not any(is_bank_share(k) for by in document["by"].values() for k in by)


def test_the_full_view_keeps_every_cell_and_counts_its_banks() -> None:
    document = totals_document(_one_bank_per_city().sums(), None)
    city = document["by"]["bank_city"][CITIES[0]]
    assert city["credit_granted_fen"] == 1000 and city["banks_with_activity"] == 1


def test_banks_are_counted_as_of_the_month_asked_for() -> None:
    sums = _one_bank_per_city().sums()
    assert banks_by_cell(sums, "2026-02")["enterprise_city:320500"] == {"b0", "b1"}
    document = totals_document(sums, "2026-02", "enterprise_city", public=True)
    assert document["by"]["enterprise_city"]["320500"]["withheld"] is True
    assert document["alliance"]["banks_with_activity"] == 2


def test_served_enterprises_are_not_counted_under_bank_shares() -> None:
    fold = _one_bank_per_city()
    parties = _parties("b0", CITIES[0])
    balances = LineBalances(1000, "ACTIVE")
    disbursed = CreditFact(
        "FundsDisbursed", "line-0", 2, "2026-01", parties, amount_fen=10, balances=balances
    )
    fold.apply("line-0", 2, disbursed)
    assert not any(is_bank_share(d) for d in fold.served["e-b0"])


def test_a_cell_with_a_bank_s_figures_but_no_bank_counted_is_withheld() -> None:
    """Aggregates applied before bank shares existed carry none until a replay."""
    sums = _one_bank_per_city().sums()
    old_style = {k: v for k, v in sums.items() if not is_bank_share(k)}
    document = totals_document(old_style, None, public=True)
    assert document["by"]["enterprise_city"]["320500"]["withheld"] is True
    assert document["by"]["enterprise_city"]["310117"]["banks_with_activity"] == 0  # empty


def test_an_enterprise_counts_in_its_bank_s_cells_from_the_month_it_applied() -> None:
    """A matchmaking application moves under the deciding bank's cells with its whole
    history, so its enterprise counts there from the application's month, as its
    figures do."""
    fold = TotalsFold()
    unbound = Parties("", "", "", "320500", "C39", "SMALL", "e-9")
    fold.apply("app-9", 1, CreditFact("FinancingApplied", "app-9", 1, "2026-01", unbound))
    bound = _parties("b7", CITIES[2])
    bound = Parties(bound.bank_id, bound.bank_city, "BANK", "320500", "C39", "SMALL", "e-9")
    fold.apply("app-9", 2, CreditFact("FinancingApproved", "app-9", 2, "2026-03", bound))
    january = totals_document(fold.sums(), "2026-01")
    cell = january["by"]["bank_city"][CITIES[2]]
    assert cell["applications_submitted"] == 1 and cell["enterprises_with_activity"] == 1
    assert cell["banks_with_activity"] == 1


def test_two_enterprises_borrowing_in_two_bank_cities_cannot_be_read_off_the_alliance() -> None:
    """e1 and e2 borrow from the banks of cities 0 and 1 only: each city cell has three
    banks but two enterprises. Publishing city 2 would leave the alliance minus city 2
    as e1's and e2's borrowing together, which each of them could subtract."""
    fold = TotalsFold()
    lenders = {CITIES[0]: ("b1", "b2", "b3"), CITIES[1]: ("b4", "b5", "b6")}
    for city, banks in lenders.items():
        for i, bank in enumerate(banks):
            borrower = ("e1", "e2")[i % 2]
            parties = Parties(bank, city, "BANK", "320500", "C39", "SMALL", borrower)
            _register(fold, f"line-{bank}", parties, "2026-01", 1000)
    for i, bank in enumerate(("b7", "b8", "b9")):
        parties = Parties(bank, CITIES[2], "BANK", "320500", "C39", "SMALL", f"e{i + 3}")
        _register(fold, f"line-{bank}", parties, "2026-01", 1000)
    document = totals_document(fold.sums(), None, "bank_city", public=True)
    cells = document["by"]["bank_city"]
    assert all(cells[city].get("withheld") for city in CITIES[:3])
    full = totals_document(fold.sums(), None, "bank_city")["by"]["bank_city"]
    assert [full[c]["enterprises_with_activity"] for c in CITIES[:3]] == [2, 2, 3]
