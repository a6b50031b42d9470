"""Unified social credit code: GB 32100 check character and input handling."""

from __future__ import annotations

import random

import pytest
from g60common.uscc import (
    ALPHABET,
    InvalidUscc,
    division_code_of,
    is_valid_uscc,
    make_uscc,
    normalize_uscc,
    random_uscc,
    uscc_check_char,
    validate_uscc,
)
from hypothesis import given
from hypothesis import strategies as st

EXAMPLE = "91350100M000100Y43"  # from DOMAIN.md

prefixes17 = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


def test_alphabet_is_31_characters_without_i_o_s_v_z() -> None:
    assert len(ALPHABET) == len(set(ALPHABET)) == 31
    assert not set("IOSVZ") & set(ALPHABET)


def test_domain_example_is_valid() -> None:
    assert is_valid_uscc(EXAMPLE)
    assert validate_uscc(EXAMPLE) == EXAMPLE
    assert uscc_check_char(EXAMPLE[:17]) == "3"


@pytest.mark.parametrize("last", [c for c in ALPHABET if c != "3"])
def test_every_other_last_character_is_invalid(last: str) -> None:
    code = EXAMPLE[:17] + last
    assert not is_valid_uscc(code)
    with pytest.raises(InvalidUscc, match=f"bad check character '{last}', expected '3'"):
        validate_uscc(code)


def test_check_value_31_maps_to_zero() -> None:
    # Σ = 0 gives c = 31, which GB 32100 maps to "0".
    assert uscc_check_char("0" * 17) == "0"
    assert is_valid_uscc("0" * 18)


@pytest.mark.parametrize(
    "raw", ["  91350100M000100Y43 ", "91350100m000100y43", "\t91350100m000100Y43\n"]
)
def test_normalisation_strips_and_upper_cases(raw: str) -> None:
    assert normalize_uscc(raw) == EXAMPLE
    assert validate_uscc(raw) == EXAMPLE


@pytest.mark.parametrize("raw", ["", EXAMPLE[:17], EXAMPLE + "0", "9135 0100M000100Y43"])
def test_wrong_length_is_reported(raw: str) -> None:
    with pytest.raises(InvalidUscc, match="wrong length: expected 18 characters"):
        validate_uscc(raw)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_alphabet_are_rejected_with_position(letter: str) -> None:
    code = EXAMPLE[:8] + letter + EXAMPLE[9:]
    with pytest.raises(InvalidUscc, match=f"bad character '{letter}' at position 9"):
        validate_uscc(code)


def test_inner_space_and_punctuation_are_rejected() -> None:
    with pytest.raises(InvalidUscc, match="at position 5"):
        validate_uscc("9135-100M000100Y43")


def test_non_string_input_is_rejected() -> None:
    with pytest.raises(InvalidUscc, match="must be a string"):
        validate_uscc(913501)
    assert not is_valid_uscc(None)


def test_uscc_check_char_needs_17_alphabet_characters() -> None:
    with pytest.raises(InvalidUscc, match="expected 17 characters"):
        uscc_check_char(EXAMPLE)
    with pytest.raises(InvalidUscc, match="position 1"):
        uscc_check_char("I" + EXAMPLE[1:17])


def test_division_code_of() -> None:
    assert division_code_of(EXAMPLE) == "350100"


@given(prefixes17)
def test_make_uscc_is_always_valid(prefix: str) -> None:
    assert is_valid_uscc(make_uscc(prefix))


@given(prefixes17, st.sampled_from(ALPHABET))
def test_changing_the_last_character_always_invalidates(prefix: str, last: str) -> None:
    code = make_uscc(prefix)
    if last != code[-1]:
        assert not is_valid_uscc(code[:-1] + last)


@given(prefixes17, st.integers(0, 16), st.sampled_from(ALPHABET))
def test_changing_any_single_body_character_invalidates(prefix: str, index: int, char: str) -> None:
    # Weights are non-zero mod the prime 31, so every single substitution is caught.
    code = make_uscc(prefix)
    if char != code[index]:
        assert not is_valid_uscc(code[:index] + char + code[index + 1 :])


@given(st.integers(0, 2**32), st.from_regex(r"[0-9]{6}", fullmatch=True))
def test_random_uscc_is_valid_and_in_its_division(seed: int, division: str) -> None:
    code = random_uscc(random.Random(seed), division)
    assert is_valid_uscc(code)
    assert code.startswith("91")
    assert division_code_of(code) == division


def test_random_uscc_is_deterministic_for_a_seed() -> None:
    assert random_uscc(random.Random(7), "320500") == random_uscc(random.Random(7), "320500")


@pytest.mark.parametrize("division", ["32050", "3205000", "32O500", ""])
def test_random_uscc_rejects_bad_division(division: str) -> None:
    with pytest.raises(ValueError, match="6 ASCII digits"):
        random_uscc(random.Random(0), division)
