"""JSON documents for the totals views: exact fen as integers plus yuan display."""

from __future__ import annotations

from typing import Any

from g60common.corridor import CORRIDOR_CITIES
from g60common.money import yuan_str

from g60_aggregator.domain.disclosure import (
    SHARED_ENTERPRISE_DIMENSIONS,
    banks_by_cell,
    banks_in_alliance,
    uncounted_cells,
    withheld_cells,
)
from g60_aggregator.domain.quantiles import nearest_rank
from g60_aggregator.domain.totals import (
    ALLIANCE,
    APPS_APPROVED,
    APPS_REJECTED,
    COUNT_MEASURES,
    DIMENSIONS,
    DISBURSED,
    ENTERPRISES_ACTIVE,
    MONEY_MEASURES,
    NPL_BALANCE,
    PUBLIC_DIMENSIONS,
    REPAID,
    TTFD_PREFIX,
    Contribution,
    Sums,
    cumulative,
)


def _money(out: dict[str, Any], measure: str, fen: int) -> None:
    out[measure] = fen
    out[measure.removesuffix("_fen") + "_yuan"] = yuan_str(fen)


def _ratio(part: int, whole: int) -> str | None:
    """part / whole, as a decimal string with 4 places; None when whole is 0."""
    if whole == 0:
        return None
    # Integer arithmetic, rounded half up to 1/10000: no float in the figure.
    ten_thousandths = (part * 20_000 + whole) // (2 * whole)
    return f"{ten_thousandths // 10_000}.{ten_thousandths % 10_000:04d}"


def _ttfd(by_measure: Contribution, month: str | None) -> dict[str, int | None]:
    histogram = {
        int(m.removeprefix(TTFD_PREFIX)): cumulative(by_month, month)
        for m, by_month in by_measure.items()
        if m.startswith(TTFD_PREFIX)
    }
    return {
        "time_to_first_disbursement_p50_s": nearest_rank(histogram, 50),
        "time_to_first_disbursement_p90_s": nearest_rank(histogram, 90),
    }


def measures(by_measure: Contribution, month: str | None) -> dict[str, Any]:
    """Every measure of one dimension value, as of the end of `month` (all when None)."""
    out: dict[str, Any] = {}
    all_measures = (*MONEY_MEASURES, *COUNT_MEASURES)
    value = {m: cumulative(by_measure.get(m, {}), month) for m in all_measures}
    for measure in MONEY_MEASURES:
        _money(out, measure, value[measure])
    outstanding_fen = value[DISBURSED] - value[REPAID]
    _money(out, "outstanding_fen", outstanding_fen)
    for measure in COUNT_MEASURES:
        out[measure] = value[measure]
    # Withdrawn applications are not decisions.
    decided = value[APPS_APPROVED] + value[APPS_REJECTED]
    out["approval_rate"] = _ratio(value[APPS_APPROVED], decided)
    # 不良率: the non-performing balance over the outstanding balance, both as of `month`.
    out["nonperforming_ratio"] = _ratio(value[NPL_BALANCE], outstanding_fen)
    out.update(_ttfd(by_measure, month))
    return out


# What a withheld cell shows instead of its figures (docs/aggregator.md, "Small cells").
WITHHELD = {
    "withheld": True,
    "reason": "fewer than 3 banks or 3 enterprises behind this cell's figures",
}


def totals_document(
    sums: Sums, as_of_month: str | None, dimension: str | None = None, *, public: bool = False
) -> dict[str, Any]:
    """Every dimension's cells (or one dimension's), each with the number of banks behind
    it. `public` withholds the small cells (g60_aggregator.domain.disclosure)."""
    dims = (dimension,) if dimension else DIMENSIONS
    by_dimension: dict[str, dict[str, Any]] = {dim: {} for dim in dims}
    if "enterprise_city" in by_dimension:
        for code in CORRIDOR_CITIES:
            by_dimension["enterprise_city"][code] = measures({}, as_of_month)
    for key, by_measure in sums.items():
        dim, _, value = key.partition(":")
        if dim in by_dimension:
            by_dimension[dim][value] = measures(by_measure, as_of_month)
    _count_and_withhold(by_dimension, sums, as_of_month, public)
    alliance = measures(sums.get(ALLIANCE, {}), as_of_month)
    alliance["banks_with_activity"] = banks_in_alliance(sums, as_of_month)
    return {"as_of_month": as_of_month, "alliance": alliance, "by": by_dimension}


def _count_and_withhold(
    by_dimension: dict[str, dict[str, Any]], sums: Sums, as_of_month: str | None, public: bool
) -> None:
    banks = banks_by_cell(sums, as_of_month)
    for dim, cells in by_dimension.items():
        if dim not in PUBLIC_DIMENSIONS:
            continue
        per_cell = {value: banks.get(f"{dim}:{value}", set()) for value in cells}
        for value, ids in per_cell.items():
            cells[value]["banks_with_activity"] = len(ids)
        if public:
            enterprises = {value: cell[ENTERPRISES_ACTIVE] for value, cell in cells.items()}
            shared = dim in SHARED_ENTERPRISE_DIMENSIONS
            withheld = withheld_cells(per_cell, enterprises, shared_enterprises=shared)
            for value in withheld | uncounted_cells(cells):
                cells[value] = dict(WITHHELD)


def months_of(by_measure: Contribution) -> list[str]:
    return sorted({month for by_month in by_measure.values() for month in by_month})


def monthly_document(sums: Sums, dimension: str | None, value: str | None) -> dict[str, Any]:
    """One dimension value's figures as of the end of every month it has activity in."""
    key = ALLIANCE if not dimension else f"{dimension}:{value}"
    by_measure = sums.get(key, {})
    return {
        "dimension": dimension or ALLIANCE,
        "value": value,
        "months": [{"month": m, **measures(by_measure, m)} for m in months_of(by_measure)],
    }
