"""Member institutions and enterprises: pure data and rules, no I/O.

Every change bumps `version` by one; the version after a change is the
aggregate_version of the event that announces it.
"""

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

from g60_members.domain.errors import (
    EnterpriseNotActive,
    EnterpriseNotPending,
    EnterpriseStatusIsFinal,
    MemberNotActive,
    MemberNotSuspended,
    MemberWithdrawnIsFinal,
    StaleVersion,
)
from g60_members.domain.validation import EnterpriseInput, MemberInput


class MemberStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    WITHDRAWN = "WITHDRAWN"


class EnterpriseStatus(StrEnum):
    """PENDING_VERIFICATION --verify--> ACTIVE --deregister--> DEREGISTERED (final);
    PENDING_VERIFICATION --reject--> REJECTED (final). Only ACTIVE may get credit."""

    PENDING_VERIFICATION = "PENDING_VERIFICATION"
    ACTIVE = "ACTIVE"
    REJECTED = "REJECTED"
    DEREGISTERED = "DEREGISTERED"


FINAL_ENTERPRISE_STATUSES = frozenset({EnterpriseStatus.REJECTED, EnterpriseStatus.DEREGISTERED})


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

    def check_version(self, expected: int) -> None:
        if expected != self.version:
            raise StaleVersion(self.member_id, expected, self.version)

    def revise(self, details: MemberInput) -> None:
        """Replace the descriptive fields; the USCC is the member's identity."""
        self.check_not_withdrawn()
        assert details.uscc == self.uscc, "the unified social credit code never changes"
        self.name = details.name
        self.short_name = details.short_name
        self.institution_type = details.institution_type
        self.home_city = details.home_city
        self.contact = details.contact
        self.version += 1

    def suspend(self) -> None:
        self.check_not_withdrawn()
        if self.status is not MemberStatus.ACTIVE:
            raise MemberNotActive(f"member {self.member_id} is {self.status}, not ACTIVE")
        self._move_to(MemberStatus.SUSPENDED)

    def reinstate(self) -> None:
        self.check_not_withdrawn()
        if self.status is not MemberStatus.SUSPENDED:
            raise MemberNotSuspended(f"member {self.member_id} is {self.status}, not SUSPENDED")
        self._move_to(MemberStatus.ACTIVE)

    def withdraw(self) -> None:
        self.check_not_withdrawn()
        self._move_to(MemberStatus.WITHDRAWN)

    def check_not_withdrawn(self) -> None:
        if self.status is MemberStatus.WITHDRAWN:
            raise MemberWithdrawnIsFinal(f"member {self.member_id} has withdrawn")

    def _move_to(self, status: MemberStatus) -> None:
        self.status = status
        self.version += 1


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
    contact: str = ""

    def __post_init__(self) -> None:
        # OTHER is explicit and carries its own region code; never a silent mapping.
        assert (self.city == OTHER_CITY) == bool(self.region_code)
        assert self.city == OTHER_CITY or is_corridor_city(self.city)
        assert self.registered_capital_fen >= 0

    def check_version(self, expected: int) -> None:
        if expected != self.version:
            raise StaleVersion(self.enterprise_id, expected, self.version)

    def revise(self, details: EnterpriseInput) -> None:
        self.check_not_final()
        assert details.uscc == self.uscc, "the unified social credit code never changes"
        self.contact = details.contact
        self.name = details.name
        self.city = details.city
        self.region_code = details.region_code
        self.industry = details.industry
        self.industry_code = details.industry_code
        self.size_class = details.size_class
        self.designations = details.designations
        self.registered_capital_fen = details.registered_capital_fen
        self.version += 1

    def verify(self) -> None:
        self._check_pending()
        self._move_to(EnterpriseStatus.ACTIVE)

    def reject(self) -> None:
        self._check_pending()
        self._move_to(EnterpriseStatus.REJECTED)

    def deregister(self) -> None:
        self.check_not_final()
        if self.status is not EnterpriseStatus.ACTIVE:
            raise EnterpriseNotActive(
                f"enterprise {self.enterprise_id} is {self.status}, not ACTIVE"
            )
        self._move_to(EnterpriseStatus.DEREGISTERED)

    def check_not_final(self) -> None:
        if self.status in FINAL_ENTERPRISE_STATUSES:
            raise EnterpriseStatusIsFinal(f"enterprise {self.enterprise_id} is {self.status}")

    def _check_pending(self) -> None:
        self.check_not_final()
        if self.status is not EnterpriseStatus.PENDING_VERIFICATION:
            raise EnterpriseNotPending(
                f"enterprise {self.enterprise_id} is {self.status}, not PENDING_VERIFICATION"
            )

    def _move_to(self, status: EnterpriseStatus) -> None:
        self.status = status
        self.version += 1
