"""Validation of registration input into domain values, collecting every bad field."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from g60common.corridor import (
    OTHER_CITY,
    Designation,
    Industry,
    InstitutionType,
    SizeClass,
    is_corridor_city,
    validate_gbt4754_code,
    validate_region_code,
)
from g60common.money import MoneyError, check_fen_range
from g60common.uscc import InvalidUscc, validate_uscc

T = TypeVar("T")
MAX_NAME_CHARS = 200
MAX_CONTACT_CHARS = 200


class InvalidFields(Exception):
    """Every bad field of a request, by field name."""

    def __init__(self, violations: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in violations.items()))
        self.violations = violations


class _Collector:
    def __init__(self) -> None:
        self.violations: dict[str, str] = {}

    def check(self, name: str, parse: Callable[[], T], default: T) -> T:
        try:
            return parse()
        except ValueError as exc:
            self.violations[name] = str(getattr(exc, "reason", None) or exc)
            return default

    def raise_if_any(self) -> None:
        if self.violations:
            raise InvalidFields(self.violations)


def _text(value: str, max_chars: int, *, required: bool = True) -> str:
    text = value.strip()
    if required and not text:
        raise ValueError("is required")
    if len(text) > max_chars:
        raise ValueError(f"must be at most {max_chars} characters")
    return text


def _enum(enum_type: type[T], value: str) -> T:
    try:
        return enum_type(value)  # type: ignore[call-arg]
    except ValueError:
        allowed = ", ".join(m.value for m in enum_type)  # type: ignore[attr-defined]
        raise ValueError(f"must be one of {allowed}") from None


def _corridor_city(value: str) -> str:
    if not is_corridor_city(value):
        raise ValueError("must be one of the nine G60 corridor city codes")
    return value


def _uscc(value: str) -> str:
    try:
        return validate_uscc(value)
    except InvalidUscc as exc:
        raise ValueError(str(exc)) from None


@dataclass(frozen=True)
class MemberInput:
    name: str
    short_name: str
    institution_type: InstitutionType
    home_city: str
    uscc: str
    contact: str


def validate_member(
    name: str, short_name: str, institution_type: str, home_city: str, uscc: str, contact: str
) -> MemberInput:
    c = _Collector()
    result = MemberInput(
        name=c.check("name", lambda: _text(name, MAX_NAME_CHARS), ""),
        short_name=c.check("short_name", lambda: _text(short_name, 60, required=False), ""),
        institution_type=c.check(
            "institution_type",
            lambda: _enum(InstitutionType, institution_type),
            InstitutionType.OTHER,
        ),
        home_city=c.check("home_city", lambda: _corridor_city(home_city), ""),
        uscc=c.check("uscc", lambda: _uscc(uscc), ""),
        contact=c.check("contact", lambda: _text(contact, MAX_CONTACT_CHARS, required=False), ""),
    )
    c.raise_if_any()
    return result


@dataclass(frozen=True)
class EnterpriseInput:
    name: str
    uscc: str
    city: str
    region_code: str
    industry: Industry
    industry_code: str
    size_class: SizeClass
    designations: tuple[Designation, ...]
    registered_capital_fen: int
    contact: str = ""


def _city(city: str) -> str:
    return city if city == OTHER_CITY else _corridor_city(city)


def _region_code(city: str, region_code: str) -> str:
    """Required with city OTHER, and only there; each mistake is the region code's."""
    if city == OTHER_CITY:
        return validate_region_code(region_code)
    if region_code:
        raise ValueError("is only for city OTHER")
    return ""


def _designations(values: Sequence[str]) -> tuple[Designation, ...]:
    parsed = tuple(_enum(Designation, d) for d in values)
    if len(set(parsed)) != len(parsed):
        raise ValueError("must not list a designation twice")
    return parsed


def _industry_code(industry: Industry, code: str) -> str:
    if industry is Industry.OTHER:
        return validate_gbt4754_code(code)
    return validate_gbt4754_code(code) if code else ""


def _capital(value: int) -> int:
    try:
        return check_fen_range(value, field="registered_capital_fen", allow_zero=True)
    except MoneyError as exc:
        raise ValueError(exc.reason) from None


def validate_enterprise(
    name: str,
    uscc: str,
    city: str,
    region_code: str,
    industry: str,
    industry_code: str,
    size_class: str,
    designations: Sequence[str],
    registered_capital_fen: int,
    contact: str = "",
) -> EnterpriseInput:
    c = _Collector()
    checked_city = c.check("city", lambda: _city(city), "")
    checked_region = c.check("region_code", lambda: _region_code(city, region_code), "")
    parsed_industry = c.check("industry", lambda: _enum(Industry, industry), Industry.OTHER)
    result = EnterpriseInput(
        name=c.check("name", lambda: _text(name, MAX_NAME_CHARS), ""),
        uscc=c.check("uscc", lambda: _uscc(uscc), ""),
        city=checked_city,
        region_code=checked_region,
        industry=parsed_industry,
        industry_code=c.check(
            "industry_code", lambda: _industry_code(parsed_industry, industry_code), ""
        ),
        size_class=c.check("size_class", lambda: _enum(SizeClass, size_class), SizeClass.SMALL),
        designations=c.check("designations", lambda: _designations(designations), ()),
        registered_capital_fen=c.check(
            "registered_capital_fen", lambda: _capital(registered_capital_fen), 0
        ),
        contact=c.check("contact", lambda: _text(contact, MAX_CONTACT_CHARS, required=False), ""),
    )
    c.raise_if_any()
    return result


SELF_REGISTRATION_SIZES = frozenset({SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM})
_SELF_REGISTRATION_SIZE_RULE = (
    "must be MICRO, SMALL or MEDIUM; the alliance office registers larger enterprises"
)


def validate_self_registration(
    name: str,
    uscc: str,
    city: str,
    industry: str,
    industry_code: str,
    size_class: str,
    contact: str,
) -> EnterpriseInput:
    """Stricter than the office's registration: sign-up is for SMEs of the nine cities
    (the office registers large enterprises and those elsewhere), and the office needs
    a contact for its check. Every bad field is reported, not just the first."""
    violations: dict[str, str] = {}
    valid: EnterpriseInput | None = None
    try:
        valid = validate_enterprise(
            name, uscc, city, "", industry, industry_code, size_class, (), 0
        )
    except InvalidFields as exc:
        violations = dict(exc.violations)
    violations.pop("region_code", None)  # sign-up has none: OTHER is refused as a city
    if not is_corridor_city(city):
        # Not "region code required": OTHER is simply not open to sign-up.
        violations["city"] = "must be one of the nine G60 corridor city codes"
    if size_class not in SELF_REGISTRATION_SIZES:
        violations["size_class"] = _SELF_REGISTRATION_SIZE_RULE
    c = _Collector()
    checked_contact = c.check("contact", lambda: _text(contact, MAX_CONTACT_CHARS), "")
    violations.update(c.violations)
    if violations:
        raise InvalidFields(violations)
    assert valid is not None
    return replace(valid, contact=checked_contact)
