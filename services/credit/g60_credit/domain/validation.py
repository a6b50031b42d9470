"""Validation of credit-line registration input, collecting every bad field."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from g60common.money import MoneyError, check_fen_range, validate_currency

from g60_credit.domain.errors import InvalidFields
from g60_credit.domain.model import Product

MAX_COVER_RATIO_BP = 10_000
MAX_VALIDITY_YEARS = 10
# YYYY-MM-DD only: date.fromisoformat also takes 20260101 and week dates (2026-W01-1).
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class CreditLineTerms:
    product: Product
    currency: str
    limit_fen: int
    revolving: bool
    valid_from: date
    valid_to: date
    guarantor_id: str
    cover_ratio_bp: int


def _date(value: str, field: str, violations: dict[str, str]) -> date | None:
    try:
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    violations[field] = "must be an ISO date (YYYY-MM-DD), Asia/Shanghai business date"
    return None


def _years_after(start: date, years: int) -> date:
    """The same day `years` later; 29 February falls back to the 28th."""
    if start.year + years > date.max.year:
        return date.max
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _window(valid_from: str, valid_to: str, v: dict[str, str]) -> tuple[date, date]:
    start, end = _date(valid_from, "valid_from", v), _date(valid_to, "valid_to", v)
    if start is None or end is None:
        return date.min, date.min
    if end < start:
        v["valid_to"] = "must not be before valid_from"
    elif end > _years_after(start, MAX_VALIDITY_YEARS):
        v["valid_to"] = f"validity window is at most {MAX_VALIDITY_YEARS} years"
    return start, end


def _guarantee(guarantor_id: str, cover_ratio_bp: int, v: dict[str, str]) -> None:
    if guarantor_id and not 0 < cover_ratio_bp <= MAX_COVER_RATIO_BP:
        v["cover_ratio_bp"] = f"must be 1 to {MAX_COVER_RATIO_BP} basis points with a guarantor"
    if not guarantor_id and cover_ratio_bp:
        v["cover_ratio_bp"] = "is only allowed together with guarantor_id"


def validate_terms(
    product: str,
    currency: str,
    limit_fen: int,
    revolving: bool,
    valid_from: str,
    valid_to: str,
    guarantor_id: str,
    cover_ratio_bp: int,
) -> CreditLineTerms:
    v: dict[str, str] = {}
    if product not in Product.__members__:
        v["product"] = "must be one of " + ", ".join(Product)
    try:
        validate_currency(currency)
    except MoneyError as exc:
        v["currency"] = exc.reason
    try:
        check_fen_range(limit_fen, field="limit_fen")
    except MoneyError as exc:
        v["limit_fen"] = exc.reason
    start, end = _window(valid_from, valid_to, v)
    _guarantee(guarantor_id, cover_ratio_bp, v)
    if v:
        raise InvalidFields(v)
    return CreditLineTerms(
        Product(product), currency, limit_fen, revolving, start, end, guarantor_id, cover_ratio_bp
    )
