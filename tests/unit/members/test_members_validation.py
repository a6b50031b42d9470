"""Enterprise registration input: each mistake is named on its own field."""

from __future__ import annotations

from typing import Any

import pytest
from g60_members.domain.validation import InvalidFields, validate_enterprise


def _enterprise(**overrides: Any) -> None:
    fields: dict[str, Any] = {
        "name": "芜湖量子",
        "uscc": "91350100M000100Y43",
        "city": "340200",
        "region_code": "",
        "industry": "NEW_MATERIALS",
        "industry_code": "",
        "size_class": "SMALL",
        "designations": ("HIGH_TECH",),
        "registered_capital_fen": 0,
    }
    validate_enterprise(**{**fields, **overrides})


def _refused(**overrides: Any) -> dict[str, str]:
    with pytest.raises(InvalidFields) as refused:
        _enterprise(**overrides)
    return refused.value.violations


def test_a_valid_enterprise_passes() -> None:
    _enterprise()
    _enterprise(city="OTHER", region_code="350100")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"region_code": "361100"}, "region_code"),  # only with city OTHER
        ({"city": "OTHER"}, "region_code"),  # OTHER needs one
        ({"city": "OTHER", "region_code": "34010"}, "region_code"),
        ({"city": "361100"}, "city"),
    ],
)
def test_city_and_region_code_mistakes_name_their_own_field(
    overrides: dict[str, str], field: str
) -> None:
    assert set(_refused(**overrides)) == {field}


def test_a_designation_listed_twice_is_refused() -> None:
    assert _refused(designations=("HIGH_TECH", "TECH_SME", "HIGH_TECH")) == {
        "designations": "must not list a designation twice"
    }
