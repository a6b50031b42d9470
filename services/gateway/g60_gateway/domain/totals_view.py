"""Who sees which cumulative totals.

The alliance's totals are public: alliance-wide and by city, industry, size, institution
type and month. Per-bank figures are each bank's own lending book, so they follow the
rule every other bank datum follows: the alliance office sees every bank's, a bank its
own, and anyone else none. For the same reason a public cell that only one or two banks'
(or enterprises') figures make up is withheld from everyone but the office (g60_aggregator's
domain.disclosure)."""

from __future__ import annotations

from typing import Any

from g60_gateway.domain.principals import Principal, PrincipalType

BANK_DIMENSION = "bank"
BANK_ROWS_REFUSED = (
    "per-bank totals are for the alliance office, and each bank's own row for that bank"
)


def may_ask_per_bank(viewer: Principal | None) -> bool:
    return viewer is not None and viewer.principal_type in (
        PrincipalType.OPERATOR,
        PrincipalType.BANK,
    )


def totals_view_for(viewer: Principal | None) -> str:
    """Which view the aggregator serves `viewer`: the office's full one, or the public
    one with small cells withheld. A bank gets the public one too: it knows its own
    figures, so a cell with one other bank would give that bank's book away."""
    if viewer is not None and viewer.principal_type is PrincipalType.OPERATOR:
        return "full"
    return "public"


def totals_seen_by(viewer: Principal | None, totals: dict[str, Any]) -> dict[str, Any]:
    """`totals` as the aggregator serves it, minus the bank rows `viewer` may not see."""
    by = totals.get("by")
    if not isinstance(by, dict) or BANK_DIMENSION not in by:
        return totals
    if viewer is not None and viewer.principal_type is PrincipalType.OPERATOR:
        return totals
    shown = {dimension: rows for dimension, rows in by.items() if dimension != BANK_DIMENSION}
    if viewer is not None and viewer.principal_type is PrincipalType.BANK:
        rows = by[BANK_DIMENSION]
        own = viewer.principal_id
        shown[BANK_DIMENSION] = {own: rows[own]} if own in rows else {}
    return {**totals, "by": shown}
