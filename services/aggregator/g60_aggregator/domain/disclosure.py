"""Small-cell suppression of the public totals (pure).

A public cell (a city, an industry, a size class, an institution type) whose figures
come from fewer than `MIN_PER_CELL` banks, or from fewer than `MIN_PER_CELL`
enterprises, is withheld: with a single bank it is that bank's book, with a single
enterprise that enterprise's borrowing, and with two each can subtract its own and read
the other's. The alliance-wide figure stays public, so withholding one cell of a
dimension is not enough: the alliance minus the published cells gives it back. More
cells are withheld, smallest first, until the withheld ones together come from at least
`MIN_PER_CELL` banks and `MIN_PER_CELL` enterprises.

Banks are known by id per cell (bank-share keys), so their union is exact. Enterprises
are known by count only. Where each enterprise is in one cell of the dimension (its
city, industry, size) their union is the sum. Where one can be in several (it borrows
from banks of several cities or types) the sum could count the same two enterprises
twice, so the union is taken at its lower bound: the largest withheld cell's count.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import reduce

from g60_aggregator.domain.totals import (
    APPS_APPROVED,
    APPS_REJECTED,
    APPS_SUBMITTED,
    BANK,
    BANK_SHARE,
    CREDIT_LINES,
    ENTERPRISES_ACTIVE,
    PRESENCE_MEASURES,
    Contribution,
    Sums,
    cumulative,
    is_bank_share,
)

MIN_PER_CELL = 3
# Dimensions of the bank side: one enterprise can be in several of their cells.
SHARED_ENTERPRISE_DIMENSIONS = frozenset({"bank_city", "institution_type"})
# A cell with any of these has a bank behind it; with either of the last two, an
# enterprise.
BANK_MEASURES = (CREDIT_LINES, APPS_APPROVED, APPS_REJECTED)


def _present(by_measure: Contribution, as_of_month: str | None) -> bool:
    return any(cumulative(by_measure.get(m, {}), as_of_month) > 0 for m in PRESENCE_MEASURES)


def banks_by_cell(sums: Sums, as_of_month: str | None) -> dict[str, set[str]]:
    """Cell key ("industry:C39") -> the banks with a line or an application in it by the
    end of `as_of_month` (all months when None)."""
    cells: dict[str, set[str]] = {}
    for key, by_measure in sums.items():
        if is_bank_share(key) and _present(by_measure, as_of_month):
            cell, _, bank_id = key.removeprefix(BANK_SHARE + ":").rpartition("|")
            cells.setdefault(cell, set()).add(bank_id)
    return cells


def banks_in_alliance(sums: Sums, as_of_month: str | None) -> int:
    return sum(
        1 for key, m in sums.items() if key.startswith(f"{BANK}:") and _present(m, as_of_month)
    )


def withheld_cells(
    banks: Mapping[str, set[str]],
    ents: Mapping[str, int],
    minimum: int = MIN_PER_CELL,
    *,
    shared_enterprises: bool = False,
) -> set[str]:
    """The cells of one dimension to withhold, given each cell's banks and number of
    enterprises. With `shared_enterprises` an enterprise may be counted in several
    cells, so only the largest withheld count is sure to be distinct enterprises."""

    def with_enterprises_of(fewest: int, cell: str) -> int:
        """The fewest distinct enterprises behind the withheld cells, once `cell` is too."""
        count = ents.get(cell, 0)
        return max(fewest, count) if shared_enterprises else fewest + count

    def small(cell: str) -> bool:
        return 0 < len(banks.get(cell, ())) < minimum or 0 < ents.get(cell, 0) < minimum

    cells = banks.keys() | ents.keys()
    withheld = {cell for cell in cells if small(cell)}
    others = sorted(
        (c for c in cells if c not in withheld and (banks.get(c) or ents.get(c, 0))),
        key=lambda c: (len(banks.get(c, ())), ents.get(c, 0), c),
    )
    behind: set[str] = set().union(*(banks.get(c, set()) for c in withheld))
    behind_ents = reduce(with_enterprises_of, withheld, 0)
    for cell in others:
        if not withheld or (len(behind) >= minimum and behind_ents >= minimum):
            break
        withheld.add(cell)
        behind |= banks.get(cell, set())
        behind_ents = with_enterprises_of(behind_ents, cell)
    return withheld


def uncounted_cells(cells: Mapping[str, Mapping[str, int]]) -> set[str]:
    """Cells (value -> counts, with `banks_with_activity`) that have figures but no bank
    or no enterprise counted: aggregates applied before those counts existed, until a
    replay (docs/aggregator.md). Withheld rather than trusted."""
    return {
        value
        for value, cell in cells.items()
        if (cell["banks_with_activity"] == 0 and any(cell[m] > 0 for m in BANK_MEASURES))
        or (cell[ENTERPRISES_ACTIVE] == 0 and (cell[CREDIT_LINES] or cell[APPS_SUBMITTED]))
    }
