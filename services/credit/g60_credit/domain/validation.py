"""Validation of credit-line registration input, collecting every bad field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from g60common.money import MoneyError, check_fen_range, validate_currency

from g60_credit.domain.errors import InvalidFields
from g60_credit.domain.model import Product

MAX_COVER_RATIO_BP = 10_000
MAX_VALIDITY_DAYS = 366 * 10


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
        return date.fromisoformat(value)
    except ValueError:
        violations[field] = "must be an ISO date (YYYY-MM-DD), Asia/Shanghai business date"
        return None


def _window(valid_from: str, valid_to: str, v: dict[str, str]) -> tuple[date, date]:
    start, end = _date(valid_from, "valid_from", v), _date(valid_to, "valid_to", v)
    if start is None or end is None:
        return date.min, date.min
    if end < start:
        v["valid_to"] = "must not be before valid_from"
    elif (end - start).days > MAX_VALIDITY_DAYS:
        v["valid_to"] = "validity window is at most ten years"
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
