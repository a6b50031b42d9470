"""Corridor vocabulary: the nine cities, OTHER locations, enums and industry codes."""

from __future__ import annotations

import pytest
from g60common.corridor import (
    CORRIDOR_CITIES,
    OTHER_CITY,
    Designation,
    Industry,
    InstitutionType,
    InvalidIndustryCode,
    InvalidRegionCode,
    SizeClass,
    corridor_city_containing,
    is_corridor_city,
    is_flagged_size,
    validate_gbt4754_code,
    validate_region_code,
)
from hypothesis import given
from hypothesis import strategies as st

NINE_CODES = set("310117 330400 330100 330700 320500 330500 341800 340200 340100".split())


def test_the_nine_cities_have_their_gbt2260_codes() -> None:
    assert set(CORRIDOR_CITIES) == NINE_CODES
    assert all(city.code == code for code, city in CORRIDOR_CITIES.items())


def test_city_carries_both_names_and_province() -> None:
    suzhou = CORRIDOR_CITIES["320500"]
    assert (suzhou.name_en, suzhou.name_zh, suzhou.province) == ("Suzhou", "苏州", "Jiangsu")
    assert CORRIDOR_CITIES["310117"].name_zh == "上海松江"


def test_corridor_cities_cannot_be_extended_at_runtime() -> None:
    with pytest.raises(TypeError):
        CORRIDOR_CITIES["361100"] = CORRIDOR_CITIES["340100"]  # type: ignore[index]


@pytest.mark.parametrize("code", sorted(NINE_CODES))
def test_is_corridor_city_for_each_of_the_nine(code: str) -> None:
    assert is_corridor_city(code)


@pytest.mark.parametrize("code", [OTHER_CITY, "361100", "310101", "330106", "", "hefei"])
def test_is_corridor_city_rejects_everything_else(code: str) -> None:
    assert not is_corridor_city(code)


@pytest.mark.parametrize("code", ["361100", "310101", "330000", "110105", "810000"])
def test_validate_region_code_accepts_places_outside_the_nine(code: str) -> None:
    assert validate_region_code(code) == code


@pytest.mark.parametrize("code", ["36110", "3611000", "36110a", " 361100", "", "３６１１００"])
def test_validate_region_code_rejects_malformed(code: str) -> None:
    with pytest.raises(InvalidRegionCode, match="6 ASCII digits"):
        validate_region_code(code)


def test_validate_region_code_rejects_unknown_province_prefix() -> None:
    with pytest.raises(InvalidRegionCode, match="province prefix"):
        validate_region_code("991100")


@pytest.mark.parametrize(
    ("code", "city_code"),
    [("330100", "330100"), ("330106", "330100"), ("320581", "320500"), ("310117", "310117")],
)
def test_validate_region_code_never_lets_other_hide_a_corridor_city(
    code: str, city_code: str
) -> None:
    with pytest.raises(InvalidRegionCode, match=f"use city {city_code}"):
        validate_region_code(code)


def test_songjiang_is_a_district_so_its_neighbours_are_not_corridor() -> None:
    assert corridor_city_containing("310117") is CORRIDOR_CITIES["310117"]
    assert corridor_city_containing("310118") is None


@given(st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_region_code_is_other_xor_inside_corridor(code: str) -> None:
    try:
        validate_region_code(code)
    except InvalidRegionCode:
        return
    assert corridor_city_containing(code) is None
    assert not is_corridor_city(code)


def test_institution_types_and_labels() -> None:
    assert [t.value for t in InstitutionType] == [
        "BANK",
        "SECURITIES",
        "INSURANCE",
        "GUARANTEE",
        "FUND",
        "TRUST",
        "LEASING",
        "OTHER",
    ]
    assert InstitutionType("BANK") is InstitutionType.BANK
    assert InstitutionType.BANK.label_zh == "银行"
    assert all(t.label_zh for t in InstitutionType)


def test_industries_have_both_labels() -> None:
    assert {i.value for i in Industry} == {
        "ARTIFICIAL_INTELLIGENCE",
        "INTEGRATED_CIRCUITS",
        "BIOMEDICINE",
        "HIGH_END_EQUIPMENT",
        "NEW_ENERGY_VEHICLES",
        "NEW_MATERIALS",
        "QUANTUM_COMMUNICATION",
        "OTHER",
    }
    assert all(i.label_en and i.label_zh for i in Industry)
    assert Industry.INTEGRATED_CIRCUITS.label_zh == "集成电路"


@pytest.mark.parametrize("code", ["C3911", "I65", "C391", "C", "A01", "T9700"])
def test_gbt4754_accepts_section_division_group_class(code: str) -> None:
    assert validate_gbt4754_code(code) == code


@pytest.mark.parametrize(
    "code", ["", "c3911", "U01", "Z", "C3", "C39111", "3911", "C 39", "C3911 "]
)
def test_gbt4754_rejects_other_shapes(code: str) -> None:
    with pytest.raises(InvalidIndustryCode, match="section letter A-T"):
        validate_gbt4754_code(code)


def test_size_classes_only_large_is_flagged() -> None:
    assert [s for s in SizeClass if is_flagged_size(s)] == [SizeClass.LARGE]
    assert SizeClass.MICRO.label_zh == "微型"


def test_designations_labels() -> None:
    assert Designation.HIGH_TECH.label_zh == "高新技术企业"
    assert Designation.SPECIALISED_SOPHISTICATED.label_zh == "专精特新"
    assert "小巨人" in Designation.SPECIALISED_SOPHISTICATED_LITTLE_GIANT.label_zh
    assert Designation.TECH_SME.label_zh == "科技型中小企业"


def test_enum_values_are_plain_strings_for_json() -> None:
    assert f"{Industry.BIOMEDICINE}" == "BIOMEDICINE"
    assert SizeClass.SMALL == "SMALL"
