"""Small-cell suppression of the public totals (pure).

A public cell (a city, an industry, a size class, an institution type) whose figures
come from fewer than `MIN_BANKS_PER_CELL` banks is withheld: with a single bank it is
that bank's book, and with two each bank can subtract its own and read the other's.
The alliance-wide figure stays public, so withholding one cell of a dimension is not
enough: the alliance minus the published cells gives it back. More cells are withheld,
fewest banks first, until the withheld ones together come from at least
`MIN_BANKS_PER_CELL` banks.
"""

from __future__ import annotations

from collections.abc import Mapping

from g60_aggregator.domain.totals import (
    BANK_SHARE,
    PRESENCE_MEASURES,
    Contribution,
    Sums,
    cumulative,
    is_bank_share,
)

MIN_BANKS_PER_CELL = 3
BANK_ROW_PREFIX = "bank:"


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
        1 for key, m in sums.items() if key.startswith(BANK_ROW_PREFIX) and _present(m, as_of_month)
    )


def withheld_cells(banks: Mapping[str, set[str]], minimum: int = MIN_BANKS_PER_CELL) -> set[str]:
    """The cells of one dimension to withhold, given each cell's banks."""
    withheld = {cell for cell, ids in banks.items() if 0 < len(ids) < minimum}
    others = sorted(
        (cell for cell, ids in banks.items() if ids and cell not in withheld),
        key=lambda cell: (len(banks[cell]), cell),
    )
    behind: set[str] = set().union(*(banks[c] for c in withheld))
    for cell in others:
        if not withheld or len(behind) >= minimum:
            break
        withheld.add(cell)
        behind |= banks[cell]
    return withheld
