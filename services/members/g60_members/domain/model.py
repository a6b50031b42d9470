"""Member institutions and enterprises: pure data and rules, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from g60common.corridor import (
    OTHER_CITY,
    Designation,
    Industry,
    InstitutionType,
    SizeClass,
    is_corridor_city,
)


class MemberStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"


class EnterpriseStatus(StrEnum):
    ACTIVE = "ACTIVE"
    DEREGISTERED = "DEREGISTERED"


@dataclass
class Member:
    member_id: str
    name: str
    short_name: str
    institution_type: InstitutionType
    home_city: str
    uscc: str
    contact: str
    status: MemberStatus
    joined_at: datetime
    version: int = 1

    def __post_init__(self) -> None:
        assert is_corridor_city(self.home_city), "members belong to one of the nine cities"
        assert self.version >= 1


@dataclass
class Enterprise:
    enterprise_id: str
    name: str
    uscc: str
    city: str
    region_code: str
    industry: Industry
    industry_code: str
    size_class: SizeClass
    designations: tuple[Designation, ...] = field(default_factory=tuple)
    registered_capital_fen: int = 0
    status: EnterpriseStatus = EnterpriseStatus.ACTIVE
    version: int = 1

    def __post_init__(self) -> None:
        # OTHER is explicit and carries its own region code; never a silent mapping.
        assert (self.city == OTHER_CITY) == bool(self.region_code)
        assert self.city == OTHER_CITY or is_corridor_city(self.city)
        assert self.registered_capital_fen >= 0
