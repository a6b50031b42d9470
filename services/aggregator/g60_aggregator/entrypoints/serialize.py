"""JSON documents for the totals views: exact fen as integers plus yuan display."""

from __future__ import annotations

from typing import Any

from g60common.corridor import CORRIDOR_CITIES
from g60common.money import yuan_str

from g60_aggregator.domain.totals import ALLIANCE, DIMENSIONS, MEASURES, Sums, cumulative


def _measures(by_measure: dict[str, dict[str, int]], month: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for measure in MEASURES:
        fen = cumulative(by_measure.get(measure, {}), month)
        out[measure] = fen
        out[measure.removesuffix("_fen") + "_yuan"] = yuan_str(fen)
    return out


def totals_document(sums: Sums, as_of_month: str | None) -> dict[str, Any]:
    by_dimension: dict[str, dict[str, Any]] = {dim: {} for dim in DIMENSIONS}
    for code in CORRIDOR_CITIES:
        by_dimension["enterprise_city"][code] = _measures({}, as_of_month)
    for key, by_measure in sums.items():
        if key == ALLIANCE:
            continue
        dim, value = key.split(":", 1)
        by_dimension.setdefault(dim, {})[value] = _measures(by_measure, as_of_month)
    return {
        "as_of_month": as_of_month,
        "alliance": _measures(sums.get(ALLIANCE, {}), as_of_month),
        "by": by_dimension,
    }
