"""Query parameters of the worker's totals pages: each mistake names its parameter."""

from __future__ import annotations

import pytest
from g60_aggregator.entrypoints.web import query_error


@pytest.mark.parametrize(
    "query",
    [
        {},
        {"month": "2026-11"},
        {"month": "0001-01", "dimension": "bank"},
        {"dimension": "bank"},
        {"view": "public"},
        {"view": "full", "dimension": "industry"},
    ],
)
def test_good_totals_queries_pass(query: dict[str, str]) -> None:
    assert query_error(query) is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"month": "0000-01"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-1"}, "month"),
        ({"dimension": "x"}, "dimension"),
        ({"dimension": "bank_share"}, "dimension"),
        ({"view": "all"}, "view"),
    ],
)
def test_bad_totals_queries_name_the_parameter(query: dict[str, str], field: str) -> None:
    assert (query_error(query) or ("", ""))[0] == field


def test_monthly_dimension_and_value_go_together() -> None:
    assert query_error({"dimension": "bank", "value": "b1"}, monthly=True) is None
    assert query_error({}, monthly=True) is None
    assert (query_error({"dimension": "bank"}, monthly=True) or ("",))[0] == "value"
    assert (query_error({"value": "b1"}, monthly=True) or ("",))[0] == "value"
