"""Credit-line terms: dates are YYYY-MM-DD only, and a window is at most ten years."""

from __future__ import annotations

from datetime import date

import pytest
from g60_credit.domain.errors import InvalidFields
from g60_credit.domain.validation import validate_terms


def _terms(valid_from: str, valid_to: str) -> tuple[date, date]:
    terms = validate_terms("OTHER", "CNY", 1, True, valid_from, valid_to, "", 0)
    return terms.valid_from, terms.valid_to


def _refused_fields(valid_from: str, valid_to: str) -> dict[str, str]:
    with pytest.raises(InvalidFields) as refused:
        _terms(valid_from, valid_to)
    return refused.value.violations


@pytest.mark.parametrize(
    "spelling",
    ["20260101", "2026-W01-1", "2026-001", "2026-1-01", "２０２６-01-01", "2026-01-01T00:00", ""],
)
def test_only_the_extended_calendar_date_form_is_a_date(spelling: str) -> None:
    assert set(_refused_fields(spelling, "2027-01-01")) == {"valid_from"}


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        ("2026-01-01", "2036-01-01"),
        ("2024-02-29", "2034-02-28"),  # no 29 February in 2034
        ("9995-06-01", "9999-12-31"),  # the calendar ends first
        ("2026-03-01", "2026-03-01"),  # one day
    ],
)
def test_windows_up_to_ten_years_are_accepted(valid_from: str, valid_to: str) -> None:
    assert _terms(valid_from, valid_to) == (
        date.fromisoformat(valid_from),
        date.fromisoformat(valid_to),
    )


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [("2026-01-01", "2036-01-02"), ("2024-02-29", "2034-03-01"), ("2026-01-01", "2036-01-09")],
)
def test_a_window_a_day_past_ten_years_is_refused(valid_from: str, valid_to: str) -> None:
    assert _refused_fields(valid_from, valid_to) == {
        "valid_to": "validity window is at most 10 years"
    }
