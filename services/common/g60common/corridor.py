"""Shared vocabulary of the G60 corridor: cities, institution types, industries, sizes.

Codes here are stable API and event values; labels are for people. See DOMAIN.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class City:
    """A corridor city, identified by its GB/T 2260 administrative division code."""

    code: str
    name_en: str
    name_zh: str
    province: str


_CITIES = (
    City("310117", "Shanghai-Songjiang", "上海松江", "Shanghai"),
    City("330400", "Jiaxing", "嘉兴", "Zhejiang"),
    City("330100", "Hangzhou", "杭州", "Zhejiang"),
    City("330700", "Jinhua", "金华", "Zhejiang"),
    City("320500", "Suzhou", "苏州", "Jiangsu"),
    City("330500", "Huzhou", "湖州", "Zhejiang"),
    City("341800", "Xuancheng", "宣城", "Anhui"),
    City("340200", "Wuhu", "芜湖", "Anhui"),
    City("340100", "Hefei", "合肥", "Anhui"),
)

# Read-only so no caller can quietly add a tenth city at runtime.
CORRIDOR_CITIES: Mapping[str, City] = MappingProxyType({c.code: c for c in _CITIES})

# City code for locations outside the nine; always paired with an explicit region code.
OTHER_CITY = "OTHER"


def is_corridor_city(code: str) -> bool:
    """True only for one of the nine exact corridor codes (not OTHER, not districts)."""
    return code in CORRIDOR_CITIES


def corridor_city_containing(region_code: str) -> City | None:
    """The corridor city whose area covers `region_code`, if any.

    A prefecture-level code ``XXXX00`` covers its districts and counties ``XXXXnn``;
    Songjiang is itself a district, so only its exact code matches.
    """
    exact = CORRIDOR_CITIES.get(region_code)
    if exact is not None:
        return exact
    for city in _CITIES:
        if city.code.endswith("00") and region_code[:4] == city.code[:4]:
            return city
    return None


class InvalidRegionCode(ValueError):
    """A region code for an OTHER location is malformed or hides a corridor city."""


# GB/T 2260 province-level prefixes; anything else cannot be a real division code.
_PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)
_REGION_CODE_RE = re.compile(r"[0-9]{6}")


def validate_region_code(code: str) -> str:
    """Check the free region code that accompanies city ``OTHER``; return it.

    Accepts a 6-digit GB/T 2260 code with a real province prefix. Codes of or
    inside one of the nine cities are rejected rather than silently mapped: the
    caller must use the corridor city code instead of OTHER.
    """
    if not _REGION_CODE_RE.fullmatch(code):
        raise InvalidRegionCode(f"region code must be 6 ASCII digits (GB/T 2260), got {code!r}")
    if code[:2] not in _PROVINCE_PREFIXES:
        raise InvalidRegionCode(f"region code {code} has no GB/T 2260 province prefix {code[:2]}")
    city = corridor_city_containing(code)
    if city is not None:
        raise InvalidRegionCode(
            f"region code {code} lies in corridor city {city.name_en} ({city.code}); "
            f"use city {city.code} instead of {OTHER_CITY}"
        )
    return code


class InstitutionType(StrEnum):
    """Kind of member institution (成员单位)."""

    BANK = "BANK"
    SECURITIES = "SECURITIES"
    INSURANCE = "INSURANCE"
    GUARANTEE = "GUARANTEE"
    FUND = "FUND"
    TRUST = "TRUST"
    LEASING = "LEASING"
    OTHER = "OTHER"

    @property
    def label_zh(self) -> str:
        return _INSTITUTION_LABELS_ZH[self]


_INSTITUTION_LABELS_ZH: Mapping[InstitutionType, str] = {
    InstitutionType.BANK: "银行",
    InstitutionType.SECURITIES: "证券公司",
    InstitutionType.INSURANCE: "保险公司",
    InstitutionType.GUARANTEE: "融资担保公司",
    InstitutionType.FUND: "基金公司",
    InstitutionType.TRUST: "信托公司",
    InstitutionType.LEASING: "融资租赁公司",
    InstitutionType.OTHER: "其他金融机构",
}


class Industry(StrEnum):
    """The corridor's key industries; OTHER is refined by a GB/T 4754 code stored alongside."""

    ARTIFICIAL_INTELLIGENCE = "ARTIFICIAL_INTELLIGENCE"
    INTEGRATED_CIRCUITS = "INTEGRATED_CIRCUITS"
    BIOMEDICINE = "BIOMEDICINE"
    HIGH_END_EQUIPMENT = "HIGH_END_EQUIPMENT"
    NEW_ENERGY_VEHICLES = "NEW_ENERGY_VEHICLES"
    NEW_MATERIALS = "NEW_MATERIALS"
    QUANTUM_COMMUNICATION = "QUANTUM_COMMUNICATION"
    OTHER = "OTHER"

    @property
    def label_en(self) -> str:
        return _INDUSTRY_LABELS[self][0]

    @property
    def label_zh(self) -> str:
        return _INDUSTRY_LABELS[self][1]


_INDUSTRY_LABELS: Mapping[Industry, tuple[str, str]] = {
    Industry.ARTIFICIAL_INTELLIGENCE: ("Artificial intelligence", "人工智能"),
    Industry.INTEGRATED_CIRCUITS: ("Integrated circuits", "集成电路"),
    Industry.BIOMEDICINE: ("Biomedicine", "生物医药"),
    Industry.HIGH_END_EQUIPMENT: (
        "High-end equipment (incl. intelligent logistics equipment and auto parts)",
        "高端装备(含智能物流装备、汽车零部件)",
    ),
    Industry.NEW_ENERGY_VEHICLES: ("New energy and new-energy vehicles", "新能源及新能源汽车"),
    Industry.NEW_MATERIALS: ("New and advanced materials", "新材料"),
    Industry.QUANTUM_COMMUNICATION: ("Quantum communication", "量子通信"),
    Industry.OTHER: ("Other (see GB/T 4754 code)", "其他(见国民经济行业分类代码)"),
}


class InvalidIndustryCode(ValueError):
    """A GB/T 4754 industry code does not have an accepted shape."""


# Section letter A-T, then nothing or a division (2 digits), group (3) or class (4).
# One digit is no level of GB/T 4754, so "C3" is rejected.
_GBT4754_RE = re.compile(r"[A-T](?:[0-9]{2,4})?")


def validate_gbt4754_code(code: str) -> str:
    """Check a GB/T 4754 national-economy industry code; return it unchanged.

    Accepted shape: a section letter ``A``-``T`` (upper case) optionally followed
    by 2, 3 or 4 digits: ``"C"``, ``"I65"``, ``"C391"``, ``"C3911"``. Whether the
    digits exist in the current edition's table is not checked.
    """
    if not _GBT4754_RE.fullmatch(code):
        raise InvalidIndustryCode(
            "GB/T 4754 code must be a section letter A-T optionally followed by "
            f"2-4 digits (e.g. C3911, I65), got {code!r}"
        )
    return code


class SizeClass(StrEnum):
    """Enterprise size (企业规模); the platform serves SMEs, so LARGE is flagged."""

    MICRO = "MICRO"
    SMALL = "SMALL"
    MEDIUM = "MEDIUM"
    LARGE = "LARGE"

    @property
    def label_zh(self) -> str:
        return _SIZE_LABELS_ZH[self]


_SIZE_LABELS_ZH: Mapping[SizeClass, str] = {
    SizeClass.MICRO: "微型",
    SizeClass.SMALL: "小型",
    SizeClass.MEDIUM: "中型",
    SizeClass.LARGE: "大型",
}


def is_flagged_size(size: SizeClass) -> bool:
    """LARGE enterprises are allowed but flagged for review: the alliance targets SMEs."""
    return size is SizeClass.LARGE


class Designation(StrEnum):
    """Government designations an enterprise may hold (any number of them)."""

    HIGH_TECH = "HIGH_TECH"
    SPECIALISED_SOPHISTICATED = "SPECIALISED_SOPHISTICATED"
    SPECIALISED_SOPHISTICATED_LITTLE_GIANT = "SPECIALISED_SOPHISTICATED_LITTLE_GIANT"
    TECH_SME = "TECH_SME"

    @property
    def label_zh(self) -> str:
        return _DESIGNATION_LABELS_ZH[self]


_DESIGNATION_LABELS_ZH: Mapping[Designation, str] = {
    Designation.HIGH_TECH: "高新技术企业",
    Designation.SPECIALISED_SOPHISTICATED: "专精特新",
    Designation.SPECIALISED_SOPHISTICATED_LITTLE_GIANT: "专精特新“小巨人”",
    Designation.TECH_SME: "科技型中小企业",
}
