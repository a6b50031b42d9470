"""How long a loan may be extended (展期): the rule of the General Rules on Loans
(贷款通则, 1996, art. 12), by the original term.

- Short-term loans (a term of at most 12 months): at most the original term.
- Medium-term loans (more than 12, at most 60 months): at most half the original term.
- Long-term loans (more than 60 months): at most 36 months.
"""

from __future__ import annotations

SHORT_TERM_MAX_MONTHS = 12
MEDIUM_TERM_MAX_MONTHS = 60
LONG_TERM_EXTENSION_MAX_MONTHS = 36


def max_extension_months(term_months: int) -> int:
    """The longest extension a loan of `term_months` may have; never above its term."""
    assert term_months >= 1, "a loan has a term"
    if term_months <= SHORT_TERM_MAX_MONTHS:
        return term_months
    if term_months <= MEDIUM_TERM_MAX_MONTHS:
        return term_months // 2
    return LONG_TERM_EXTENSION_MAX_MONTHS
