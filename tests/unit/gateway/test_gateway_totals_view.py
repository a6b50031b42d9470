"""Per-bank totals: the office sees every bank's, a bank its own, anyone else none."""

from __future__ import annotations

from typing import Any

import pytest
from g60_gateway.domain.principals import Principal, PrincipalType
from g60_gateway.domain.totals_view import may_ask_per_bank, totals_seen_by, totals_view_for

BANK_A, BANK_B = "0b0e0f7e-0000-4000-8000-00000000000a", "0b0e0f7e-0000-4000-8000-00000000000b"


def _who(kind: PrincipalType, principal_id: str = BANK_A) -> Principal:
    return Principal("k1", kind, principal_id, frozenset())


def _totals() -> dict[str, Any]:
    return {
        "as_of_month": None,
        "alliance": {"credit_granted_fen": 3},
        "by": {
            "enterprise_city": {"340100": {"credit_granted_fen": 3}},
            "bank": {BANK_A: {"credit_granted_fen": 1}, BANK_B: {"credit_granted_fen": 2}},
        },
    }


def test_the_office_sees_every_bank() -> None:
    assert totals_seen_by(_who(PrincipalType.OPERATOR, "office"), _totals()) == _totals()


def test_a_bank_sees_its_own_row_only() -> None:
    seen = totals_seen_by(_who(PrincipalType.BANK), _totals())
    assert seen["by"]["bank"] == {BANK_A: {"credit_granted_fen": 1}}
    assert seen["by"]["enterprise_city"] == _totals()["by"]["enterprise_city"]
    assert seen["alliance"] == _totals()["alliance"]


def test_a_bank_without_figures_yet_sees_an_empty_row_set() -> None:
    unknown = "0b0e0f7e-0000-4000-8000-0000000000ff"
    assert totals_seen_by(_who(PrincipalType.BANK, unknown), _totals())["by"]["bank"] == {}


@pytest.mark.parametrize(
    "viewer", [None, _who(PrincipalType.ENTERPRISE), _who(PrincipalType.GUARANTOR)]
)
def test_the_public_smes_and_guarantors_see_no_bank_rows(viewer: Principal | None) -> None:
    seen = totals_seen_by(viewer, _totals())
    assert "bank" not in seen["by"]
    assert seen["by"]["enterprise_city"] == _totals()["by"]["enterprise_city"]


def test_totals_without_bank_rows_pass_unchanged() -> None:
    only_cities = {"alliance": {}, "by": {"industry": {}}}
    assert totals_seen_by(None, only_cities) == only_cities


@pytest.mark.parametrize(
    ("viewer", "may"),
    [
        (None, False),
        (_who(PrincipalType.ENTERPRISE), False),
        (_who(PrincipalType.GUARANTOR), False),
        (_who(PrincipalType.BANK), True),
        (_who(PrincipalType.OPERATOR, "office"), True),
    ],
)
def test_who_may_ask_for_the_bank_dimension(viewer: Principal | None, may: bool) -> None:
    assert may_ask_per_bank(viewer) is may


@pytest.mark.parametrize(
    ("viewer", "view"),
    [
        (None, "public"),
        (_who(PrincipalType.ENTERPRISE), "public"),
        (_who(PrincipalType.GUARANTOR), "public"),
        # A bank knows its own figures: a cell of two banks would show it the other's.
        (_who(PrincipalType.BANK), "public"),
        (_who(PrincipalType.OPERATOR, "office"), "full"),
    ],
)
def test_only_the_office_gets_the_view_with_small_cells(
    viewer: Principal | None, view: str
) -> None:
    assert totals_view_for(viewer) == view
