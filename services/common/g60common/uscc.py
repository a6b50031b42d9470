"""Unified social credit code (统一社会信用代码, GB 32100-2015).

Layout: authority (1), entity type (1), division code (6), organisation code (9),
check character (1). Only the character set and the check character are verified:
that is the definition DOMAIN.md chooses, and it is what a registry lookup would
need anyway before going further.
"""

from __future__ import annotations

import random
import re

# GB 32100 drops I, O, S, V and Z so they cannot be confused with 1, 0, 5, U and 2.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_LENGTH = 18
_MODULUS = len(ALPHABET)  # 31
_VALUES = {char: index for index, char in enumerate(ALPHABET)}


class InvalidUscc(ValueError):
    """The input is not a well-formed unified social credit code; the message says why."""


def normalize_uscc(raw: str) -> str:
    """Strip surrounding whitespace and upper-case: the only repairs DOMAIN.md allows."""
    return raw.strip().upper()


def _check_characters(body: str) -> None:
    """Raise on the first character outside the alphabet, naming its 1-based position."""
    for position, char in enumerate(body, start=1):
        if char not in _VALUES:
            raise InvalidUscc(
                f"bad character {char!r} at position {position}; allowed characters are {ALPHABET}"
            )


def uscc_check_char(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    expected_length = USCC_LENGTH - 1
    if len(first17) != expected_length:
        raise InvalidUscc(f"expected {expected_length} characters, got {len(first17)}")
    _check_characters(first17)
    total = sum(_VALUES[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    check_value = _MODULUS - total % _MODULUS
    return ALPHABET[0 if check_value == _MODULUS else check_value]


def validate_uscc(raw: object) -> str:
    """Normalise and verify a code; return the canonical form or raise InvalidUscc."""
    if not isinstance(raw, str):
        raise InvalidUscc(f"must be a string, got {type(raw).__name__}")
    code = normalize_uscc(raw)
    if len(code) != USCC_LENGTH:
        raise InvalidUscc(f"wrong length: expected {USCC_LENGTH} characters, got {len(code)}")
    _check_characters(code)
    expected = uscc_check_char(code[:-1])
    if code[-1] != expected:
        raise InvalidUscc(f"bad check character {code[-1]!r}, expected {expected!r}")
    return code


def is_valid_uscc(code: object) -> bool:
    """True when `code` passes validate_uscc (after normalisation)."""
    try:
        validate_uscc(code)
    except InvalidUscc:
        return False
    return True


def division_code_of(code: str) -> str:
    """Positions 3-8 of a valid code: the registering GB/T 2260 division."""
    return validate_uscc(code)[2:8]


def make_uscc(prefix17: str) -> str:
    """Append the check character to 17 alphabet characters (test and demo data)."""
    return prefix17 + uscc_check_char(prefix17)


# GB 11714 organisation code: 8 body characters, then a mod-11 check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY_ALPHABET = ALPHABET  # stay inside the USCC alphabet so the result is valid
_DIVISION_RE = re.compile(r"[0-9]{6}")


def _org_value(char: str) -> int:
    # GB 11714 values letters A=10 ... Z=35, unlike the USCC alphabet index.
    return int(char, 36)


def _org_check_char(body8: str) -> str:
    total = sum(_org_value(char) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    check_value = 11 - total % 11
    return {10: "X", 11: "0"}.get(check_value, str(check_value))


def random_uscc(rng: random.Random, division_code: str, *, authority_and_type: str = "91") -> str:
    """A valid code registered in `division_code` (6 digits), for demo and test data.

    "91" is a market-regulation registration of an enterprise, which fits both
    SMEs and member institutions. The embedded organisation code carries a correct
    GB 11714 check character too, so the result looks like a real code.
    """
    if not _DIVISION_RE.fullmatch(division_code):
        raise ValueError(f"division code must be 6 ASCII digits, got {division_code!r}")
    body8 = "".join(rng.choice(_ORG_BODY_ALPHABET) for _ in range(8))
    return make_uscc(authority_and_type + division_code + body8 + _org_check_char(body8))
