"""Integer fen: strict parsing, exact formatting, and display-only floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from g60common.money import (
    MAX_FEN,
    MoneyError,
    fen_from_yuan_str,
    parse_fen,
    validate_currency,
    wan_yuan_str,
    yi_yuan_str,
    yuan_float_for_display,
    yuan_str,
)
from hypothesis import given
from hypothesis import strategies as st

signed_fen = st.integers(-MAX_FEN, MAX_FEN)
FIELD = "limit_fen"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1, 1), ("100000000", 100_000_000), (MAX_FEN, MAX_FEN), (str(MAX_FEN), MAX_FEN), ("007", 7)],
)
def test_parse_fen_accepts_ints_and_digit_strings(value: object, expected: int) -> None:
    assert parse_fen(value, field=FIELD) == expected


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (True, "boolean"),
        (False, "boolean"),
        (12.0, "float"),
        (12.5, "float"),
        ("1e3", "exponent"),
        ("1E3", "exponent"),
        ("12.5", "decimal point"),
        ("12.0", "decimal point"),
        ("-5", "negative"),
        (-5, "negative"),
        ("+5", "sign"),
        (" 5", "only the digits"),
        ("5 ", "only the digits"),
        ("1_000", "only the digits"),
        ("١٢", "only the digits"),  # Arabic-Indic digits pass str.isdigit but are not ASCII
        ("", "empty"),
        (0, "greater than zero"),
        ("0", "greater than zero"),
        (MAX_FEN + 1, "int64 maximum"),
        (str(MAX_FEN + 1), "int64 maximum"),
        ("9" * 65, "too long"),
        (None, "NoneType"),
        (Decimal("5"), "Decimal"),
        ([5], "list"),
    ],
)
def test_parse_fen_rejects_with_a_reason_naming_the_field(value: object, reason: str) -> None:
    with pytest.raises(MoneyError, match=reason) as caught:
        parse_fen(value, field=FIELD)
    assert caught.value.field == FIELD
    assert str(caught.value).startswith(f"{FIELD}: ")


def test_parse_fen_zero_only_when_allowed() -> None:
    assert parse_fen(0, field=FIELD, allow_zero=True) == 0
    assert parse_fen("0", field=FIELD, allow_zero=True) == 0


def test_money_error_is_a_value_error() -> None:
    assert issubclass(MoneyError, ValueError)


@given(st.integers(1, MAX_FEN))
def test_parse_fen_int_and_string_agree(fen: int) -> None:
    assert parse_fen(fen, field=FIELD) == parse_fen(str(fen), field=FIELD) == fen


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "0.00"),
        (5, "0.05"),
        (-5, "-0.05"),
        (100_000_000, "1000000.00"),
        (-123_456, "-1234.56"),
        (10**15, "10000000000000.00"),
        (MAX_FEN, "92233720368547758.07"),
    ],
)
def test_yuan_str_is_exact(fen: int, text: str) -> None:
    assert yuan_str(fen) == text


@given(signed_fen)
def test_yuan_str_round_trips(fen: int) -> None:
    assert fen_from_yuan_str(yuan_str(fen), allow_negative=True) == fen


@given(signed_fen)
def test_yuan_str_matches_decimal(fen: int) -> None:
    assert Decimal(yuan_str(fen)) == Decimal(fen) / 100


@given(st.lists(st.integers(0, MAX_FEN // 64), max_size=64))
def test_sums_stay_exact(amounts_fen: list[int]) -> None:
    total_fen = sum(amounts_fen)
    assert total_fen <= MAX_FEN
    summed_yuan = sum((Decimal(yuan_str(a)) for a in amounts_fen), Decimal(0))
    assert Decimal(yuan_str(total_fen)) == summed_yuan
    assert fen_from_yuan_str(yuan_str(total_fen)) == total_fen


@pytest.mark.parametrize(
    ("text", "fen"),
    [("1000000.00", 100_000_000), ("12.5", 1250), ("7", 700), (" 0.01 ", 1), ("-0.00", 0)],
)
def test_fen_from_yuan_str(text: str, fen: int) -> None:
    assert fen_from_yuan_str(text) == fen


@pytest.mark.parametrize(
    "text", ["", "1.234", "1e3", "+1", "1,000.00", "1_000", ".5", "1.", "¥1", "1 000", "NaN"]
)
def test_fen_from_yuan_str_rejects_malformed(text: str) -> None:
    with pytest.raises(MoneyError, match=r"amount_yuan: must look like 1234\.56"):
        fen_from_yuan_str(text)


def test_fen_from_yuan_str_rejects_negative_unless_allowed() -> None:
    with pytest.raises(MoneyError, match="price_yuan: must not be negative"):
        fen_from_yuan_str("-1.00", field="price_yuan")
    assert fen_from_yuan_str("-1.00", allow_negative=True) == -100


def test_fen_from_yuan_str_rejects_out_of_range() -> None:
    assert fen_from_yuan_str("92233720368547758.07") == MAX_FEN
    with pytest.raises(MoneyError, match="int64 maximum"):
        fen_from_yuan_str("92233720368547758.08")
    with pytest.raises(MoneyError, match="too long"):
        fen_from_yuan_str("9" * 80)


@pytest.mark.parametrize(
    ("fen", "wan", "yi"),
    [
        (0, "0.00", "0.00"),
        (1_000_000, "1.00", "0.00"),
        (1_005_000, "1.01", "0.00"),  # exactly half a hundredth rounds up
        (1_004_999, "1.00", "0.00"),
        (-1_005_000, "-1.01", "0.00"),  # half away from zero; never "-0.00"
        (-1, "0.00", "0.00"),
        (290 * 10**12, "290000000.00", "29000.00"),  # 2.9 trillion yuan headline
        (50_000_000, "50.00", "0.01"),  # 0.005 亿元 rounds up
        (49_999_999, "50.00", "0.00"),
    ],
)
def test_wan_and_yi_yuan(fen: int, wan: str, yi: str) -> None:
    assert wan_yuan_str(fen) == wan
    assert yi_yuan_str(fen) == yi


def _decimal_half_up(fen: int, fen_per_unit: int) -> str:
    # 19 significant digits at most: well inside Decimal's default 28-digit precision.
    return str((Decimal(fen) / fen_per_unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@given(signed_fen)
def test_wan_and_yi_match_decimal_half_up(fen: int) -> None:
    def unsigned_zero(text: str) -> str:
        return "0.00" if text == "-0.00" else text

    assert wan_yuan_str(fen) == unsigned_zero(_decimal_half_up(fen, 10**6))
    assert yi_yuan_str(fen) == unsigned_zero(_decimal_half_up(fen, 10**10))


def test_display_float_is_close_and_exact_where_float64_can_be() -> None:
    assert yuan_float_for_display(123_456) == 1234.56
    assert yuan_float_for_display(10**15) == 1e13
    assert yuan_float_for_display(290 * 10**12) == 2.9e12


def test_only_cny_is_accepted() -> None:
    assert validate_currency("CNY") == "CNY"
    with pytest.raises(MoneyError, match="currency: only CNY is supported, got 'USD'"):
        validate_currency("USD")
    with pytest.raises(MoneyError, match="only CNY"):
        validate_currency("cny")
