"""Money as integer fen (1 yuan = 100 fen), the only representation the domain uses.

Amounts are int64 in storage and on the wire, so everything here is exact integer
arithmetic; floats appear only in `yuan_float_for_display`.
"""

from __future__ import annotations

import re

MAX_FEN = 2**63 - 1  # int64 / BIGINT maximum
FEN_PER_YUAN = 100
FEN_PER_WAN_YUAN = 10**4 * FEN_PER_YUAN  # 万元
FEN_PER_YI_YUAN = 10**8 * FEN_PER_YUAN  # 亿元
CURRENCY_CNY = "CNY"

# Longer inputs cannot be in range whatever their leading zeros; the cap also keeps
# int() from doing unbounded work on hostile input.
_MAX_INPUT_CHARS = 64
_DIGITS_RE = re.compile(r"[0-9]+")
_YUAN_RE = re.compile(r"(-?)([0-9]+)(?:\.([0-9]{1,2}))?")


class MoneyError(ValueError):
    """An amount or currency is unacceptable; `field` names the offending input."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def _why_not_digits(text: str) -> str:
    """The most helpful reason a string is not a plain run of ASCII digits."""
    if not text:
        return "is empty; send an integer number of fen"
    if text.startswith("-"):
        return f"must not be negative, got {text!r}"
    if text.startswith("+"):
        return f"must not carry a sign, got {text!r}"
    if "." in text:
        return f"must be whole fen without a decimal point, got {text!r}"
    if "e" in text.lower():
        return f"must not use an exponent, got {text!r}"
    return f"must contain only the digits 0-9 (no spaces or underscores), got {text!r}"


def _int_from_text(text: str, field: str) -> int:
    if len(text) > _MAX_INPUT_CHARS:
        raise MoneyError(field, f"is too long ({len(text)} characters)")
    if not _DIGITS_RE.fullmatch(text):
        raise MoneyError(field, _why_not_digits(text))
    return int(text)


def _raw_int(value: object, field: str) -> int:
    # bool is an int subclass, and True would otherwise pass as 1 fen.
    if isinstance(value, bool):
        raise MoneyError(field, "must be an integer number of fen, got a boolean")
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return _int_from_text(value, field)
    if isinstance(value, float):
        raise MoneyError(field, f"must be an integer number of fen, got the float {value!r}")
    raise MoneyError(
        field, f"must be an integer or a decimal string of fen, got {type(value).__name__}"
    )


def check_fen_range(fen: int, *, field: str, allow_zero: bool = False) -> int:
    """Enforce 0 < fen <= MAX_FEN (or 0 <= fen when `allow_zero`); return fen."""
    if fen < 0:
        raise MoneyError(field, f"must not be negative, got {fen}")
    if fen == 0 and not allow_zero:
        raise MoneyError(field, "must be greater than zero")
    if fen > MAX_FEN:
        raise MoneyError(field, f"exceeds the int64 maximum of {MAX_FEN} fen, got {fen}")
    return fen


def parse_fen(value: object, *, field: str, allow_zero: bool = False) -> int:
    """An amount in fen from JSON/CLI input: an int or a string of ASCII digits.

    Rejects bools, floats (even 12.0, since a float may already have lost fen),
    signs, decimals, exponents, whitespace, underscores, negatives, zero unless
    `allow_zero`, and anything above MAX_FEN. Errors name `field`.
    """
    return check_fen_range(_raw_int(value, field), field=field, allow_zero=allow_zero)


def validate_currency(value: object, *, field: str = "currency") -> str:
    """Only CNY is accepted today; the field exists so that rule can change later."""
    if value != CURRENCY_CNY:
        raise MoneyError(field, f"only {CURRENCY_CNY} is supported, got {value!r}")
    return CURRENCY_CNY


def _signed_hundredths_str(fen: int, fen_per_hundredth: int) -> str:
    """fen in units of `fen_per_hundredth`, two decimals, rounded half away from zero.

    Half-up on the magnitude (Decimal's ROUND_HALF_UP) keeps the display of a
    negative amount the mirror image of its positive counterpart.
    """
    whole, remainder = divmod(abs(fen), fen_per_hundredth)
    if 2 * remainder >= fen_per_hundredth:
        whole += 1
    sign = "-" if fen < 0 and whole > 0 else ""
    units, hundredths = divmod(whole, 100)
    return f"{sign}{units}.{hundredths:02d}"


def yuan_str(fen: int) -> str:
    """Exact yuan with two decimals: 100000000 -> "1000000.00", -5 -> "-0.05"."""
    return _signed_hundredths_str(fen, 1)


def wan_yuan_str(fen: int) -> str:
    """万元 with two decimals (no unit suffix), rounded half-up: 1_005_000 -> "1.01"."""
    return _signed_hundredths_str(fen, FEN_PER_WAN_YUAN // 100)


def yi_yuan_str(fen: int) -> str:
    """亿元 with two decimals (no unit suffix), rounded half-up: 2.9e14 fen -> "29000.00"."""
    return _signed_hundredths_str(fen, FEN_PER_YI_YUAN // 100)


def fen_from_yuan_str(
    text: str, *, field: str = "amount_yuan", allow_negative: bool = False
) -> int:
    """Exact fen from a yuan string such as "1000000.00", "12.5" or "7" (CSV import, CLI).

    Surrounding whitespace is ignored. At most two decimals, since fen is the
    smallest unit; no exponent, separators or "+". |result| must fit in int64.
    """
    stripped = text.strip()
    if len(stripped) > _MAX_INPUT_CHARS:
        raise MoneyError(field, f"is too long ({len(stripped)} characters)")
    match = _YUAN_RE.fullmatch(stripped)
    if match is None:
        raise MoneyError(field, f"must look like 1234.56 (at most two decimals), got {text!r}")
    sign, units, decimals = match.groups()
    magnitude_fen = int(units) * FEN_PER_YUAN + int((decimals or "0").ljust(2, "0"))
    if sign and magnitude_fen and not allow_negative:
        raise MoneyError(field, f"must not be negative, got {text!r}")
    if magnitude_fen > MAX_FEN:
        raise MoneyError(field, f"exceeds the int64 maximum of {yuan_str(MAX_FEN)} yuan")
    return -magnitude_fen if sign else magnitude_fen


def yuan_float_for_display(fen: int) -> float:
    """Yuan as a float, for Prometheus display gauges ONLY, never for arithmetic.

    float64 holds integers exactly only up to 2**53 (about 9.0e15 fen) and most
    fractions of a yuan not at all; the exact figure stays in the API as int fen.
    Python's int/int division is correctly rounded, so this is the closest float.
    """
    return fen / FEN_PER_YUAN
