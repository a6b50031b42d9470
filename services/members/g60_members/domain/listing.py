"""Filters and page limits for listing the registry."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from g60common.corridor import OTHER_CITY, Industry, InstitutionType, SizeClass, is_corridor_city

from g60_members.domain.model import EnterpriseStatus, MemberStatus
from g60_members.domain.validation import InvalidFields

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


def _is_value(enum_type: type[StrEnum], value: str) -> bool:
    # Python 3.11 raises TypeError for `str in EnumClass`; compare values instead.
    return value in {member.value for member in enum_type}


def page_limit(page_size: int) -> int:
    """0 means the default; anything above the maximum is served as the maximum."""
    if page_size < 0:
        raise InvalidFields({"page_size": "must not be negative"})
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


@dataclass(frozen=True)
class MemberFilter:
    """Empty strings match anything."""

    home_city: str = ""
    institution_type: str = ""
    status: str = ""

    def check(self) -> None:
        bad: dict[str, str] = {}
        if self.home_city and not is_corridor_city(self.home_city):
            bad["home_city"] = "must be one of the nine G60 corridor city codes"
        if self.institution_type and not _is_value(InstitutionType, self.institution_type):
            bad["institution_type"] = f"must be one of {', '.join(InstitutionType)}"
        if self.status and not _is_value(MemberStatus, self.status):
            bad["status"] = f"must be one of {', '.join(MemberStatus)}"
        if bad:
            raise InvalidFields(bad)


@dataclass(frozen=True)
class EnterpriseFilter:
    """Empty strings match anything; city OTHER matches every location outside the nine."""

    city: str = ""
    industry: str = ""
    size_class: str = ""
    status: str = ""

    def check(self) -> None:
        bad: dict[str, str] = {}
        if self.city and not (self.city == OTHER_CITY or is_corridor_city(self.city)):
            bad["city"] = "must be one of the nine G60 corridor city codes or OTHER"
        if self.industry and not _is_value(Industry, self.industry):
            bad["industry"] = f"must be one of {', '.join(Industry)}"
        if self.size_class and not _is_value(SizeClass, self.size_class):
            bad["size_class"] = f"must be one of {', '.join(SizeClass)}"
        if self.status and not _is_value(EnterpriseStatus, self.status):
            bad["status"] = f"must be one of {', '.join(EnterpriseStatus)}"
        if bad:
            raise InvalidFields(bad)
